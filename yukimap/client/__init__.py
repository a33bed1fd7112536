"""`YukiClient`: Yuki's SOAP webservices over `requests`, with sessions, budget and typed errors.

    from yukimap.settings import load_settings
    with YukiClient(load_settings()) as yuki:
        adm = yuki.resolve_administration("Bakkerij De Korenaar B.V.")
        result = yuki.process_sales_invoices(xml_text, adm.id)

Every call is counted against the local daily budget before it is sent (budget.py).
The session ID is reused across runs (24 h, cache file 0600); when Yuki says the session
is gone, the client authenticates once more and retries that one call once.

Errors tell whether the request reached Yuki, which is what a sender must know:
  TransientError      nothing was sent, Yuki's front door refused it, or a lookup (which
                      changes nothing) got no complete answer: safe to retry
  AmbiguousOutcome    a document was sent but no answer came: never retry blindly
  the fault classes   Yuki answered with a SOAP fault (see soap.classify_fault)
The client never retries on its own except after a session fault; `with_retries` is the
helper for callers that want to retry TransientError.

Each module has one reason to change:
- operations: `YukiClient`, one method per operation (administrations, documents,
  reference data, lookups);
- administrations: which administration a person means, among those the key sees;
- session: the session (opened, cached, opened once more when Yuki says it is gone);
- request: a call built completely before anything is sent;
- wire: a call posted within its time limit and budget, its failures typed;
- response: what came back, as a result or the error it means, secrets redacted;
- answers: Yuki's answer to each document call.
"""

from __future__ import annotations

from yukimap.client.operations import YukiClient
from yukimap.client.request import Request, StatementLine, is_guid
from yukimap.transport import with_retries

__all__ = ["Request", "StatementLine", "YukiClient", "is_guid", "with_retries"]
