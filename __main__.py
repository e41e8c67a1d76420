"""The stack program: a variant store, the import role, and one import job per batch."""

# Everything is declared from the stack's configuration (stacks/Pulumi.<stack>.yaml) by the
# package's declare_stack, the same call a program in any other repository makes.
from omics_stack import declare_stack

declare_stack()
