"""Revision scripts: ``0001_initial`` (store, ST), ``0002_outbox`` (outbox, OB), …"""
