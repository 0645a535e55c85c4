"""Alerts: rules over indicators and sources, Grafana's state model, history, acks and batches."""
