"""The collector: runs every source on its own schedule and stores what they return."""
