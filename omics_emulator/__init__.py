"""Local emulator of the AWS HealthOmics variant- and annotation-store API (omics, rest-json)."""

from omics_emulator.exceptions import OmicsError
from omics_emulator.models import OmicsBackend
from omics_emulator.server import EmulatorHandle, start_emulator
from omics_emulator.settings import EmulatorSettings

__all__ = ["EmulatorHandle", "EmulatorSettings", "OmicsBackend", "OmicsError", "start_emulator"]
