"""The Pulumi resources: inputs, check, diff and outputs; providers hand the rest to the flows."""
