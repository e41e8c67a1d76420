"""Pulumi dynamic provider for AWS HealthOmics variant stores and variant import jobs."""
