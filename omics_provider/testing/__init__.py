"""Testing a program that uses this package: OmicsMocks, run_program, the gRPC plugin driver."""

from omics_provider.testing.mocks import OmicsMocks
from omics_provider.testing.program import MockedResource, ProgramRun, run_program

__all__ = ["MockedResource", "OmicsMocks", "ProgramRun", "run_program"]
