"""Notifications: how a batch of alert events reaches a channel (webhook, robots, e-mail, command)."""
