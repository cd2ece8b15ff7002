"""Quickstart (placeholder until the Didomi resources land): exports the provider version."""

import pulumi

import pulumi_didomi

pulumi.export("pulumi_didomi_version", pulumi_didomi.__version__)
