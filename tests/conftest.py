pytest_plugins = [
    "omics_emulator.pytest_plugin",
    "tests.support.fixtures",
    "tests.support.job_kinds",
    "tests.support.moto",
    "tests.support.tables",
]
