"""Tests of the GitOps workflow (.github/workflows/pulumi.yml) and its helper script."""
