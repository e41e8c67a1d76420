"""The cohort study's stack: a variant store, the import role and one import job per batch."""

import pulumi

from omics_stack import declare_stack

stack = declare_stack()  # reads the omics-variant-import:* keys of stacks/Pulumi.<stack>.yaml

# The resources are yours to build on: here, one more output.
pulumi.export("batches", sorted(stack.jobs))
