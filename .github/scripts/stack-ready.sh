#!/usr/bin/env bash
# Whether the GitOps workflow may run pulumi: writes ready=true or ready=false to $GITHUB_OUTPUT.
# Not ready (a notice, exit 0) while the repository variable PULUMI_STACK is unset; an error when
# its stack file is missing or still holds the example values of stacks/Pulumi.dev.yaml.
set -euo pipefail

stack="${PULUMI_STACK:-}"
if [ -z "$stack" ]; then
  echo "::notice::The repository variable PULUMI_STACK is not set: pulumi is skipped (docs/gitops.md)."
  echo "ready=false" >>"$GITHUB_OUTPUT"
  exit 0
fi
case "$stack" in
*[!A-Za-z0-9_.-]* | .*)
  echo "::error::PULUMI_STACK='$stack' is not a stack name (letters, digits, '_', '.', '-')."
  exit 1
  ;;
esac
file="stacks/Pulumi.$stack.yaml"
if [ ! -f "$file" ]; then
  echo "::error::PULUMI_STACK is '$stack' but $file does not exist: copy stacks/Pulumi.dev.yaml there and put in your values."
  exit 1
fi
if grep -v '^[[:space:]]*#' "$file" | grep -q -e '123456789012' -e 'my-genomics-bucket'; then
  echo "::error::$file still holds example values (account 123456789012, bucket my-genomics-bucket): replace them first."
  exit 1
fi
echo "ready=true" >>"$GITHUB_OUTPUT"
