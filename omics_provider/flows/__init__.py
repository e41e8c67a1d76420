"""What happens to a job or a store: start-or-adopt, wait, cancel; create, update, delete."""
