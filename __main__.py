"""The stack program: the batches' destination (a variant store or a table) and one import each."""

# Everything is declared from the stack's configuration (stacks/Pulumi.<stack>.yaml) by the
# package's declare_stack, the same call a program in any other repository makes.
from omics_stack import declare_stack

declare_stack()
