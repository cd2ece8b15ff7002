"""Benchmarks of pulumi-didomi: API calls against the minimum, wall times, memory."""
