pytest_plugins = ["omics_provider.emulator.pytest_plugin"]
