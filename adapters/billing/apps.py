from adapters.platform import contexts


class BillingConfig(contexts.ContextConfig):
    name = "adapters.billing"
    label = "billing"
    verbose_name = "Billing"

    container = "container.BillingContainer"
    # The admin's "void" action calls InvoiceService too.
    wired_modules = ("views", "admin")
    urls = "urls"
    problems = "problems"
    demo_data = "demo"
    # A new organization gets its prepaid account in the same transaction.
    subscriptions = {"organizations.organization_created": "open_account"}
    route_policies = "tests.api.billing.route_policies"
    # The invoice emails, sent after the commit (in a worker).
    outbox_handlers = {
        "billing.invoice_issued": "send_invoice_issued_emails",
        "billing.invoice_paid": "send_receipt",
    }
