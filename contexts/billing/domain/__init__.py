"""Billing's domain: plans, subscriptions, invoices and prepaid accounts. Pure Python."""
