"""A Tripay- and Midtrans-compatible payment simulator for development, demos and tests."""

from integrations.sandbox.app import SandboxConfig, create_sandbox_app

__all__ = ["SandboxConfig", "create_sandbox_app"]
