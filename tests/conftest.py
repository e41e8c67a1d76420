pytest_plugins = ["omics_provider.emulator.pytest_plugin", "tests.support.fixtures"]
