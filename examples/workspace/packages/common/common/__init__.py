"""Helpers shared by the workspace's projects."""
