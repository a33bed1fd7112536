"""SOAP envelopes, result parsing and fault classification (pure functions, no network)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yukimap.errors import (
    AccessDenied,
    DailyLimitExceeded,
    DocumentRejected,
    NoRights,
    SessionExpired,
    YukiFault,
)
from yukimap.soap import (
    OPERATIONS,
    SOAP_ENV,
    YUKI_NS,
    BadXml,
    Fault,
    build_envelope,
    build_fault,
    build_response,
    child,
    classify_fault,
    find_fault,
    find_result,
    local,
    parse_request,
    parse_xml,
    xml_doc,
)
from yukimap.yuki_results import (
    parse_administrations,
    parse_domains,
    parse_gl_accounts,
    parse_outstanding_items,
    parse_sales_result,
    parse_vat_codes,
)

SALES = ('<?xml version="1.0" encoding="utf-8"?>\n<SalesInvoices xmlns="urn:xmlns:http://'
         'www.theyukicompany.com:salesinvoices"><SalesInvoice><Reference>F-1</Reference>'
         '</SalesInvoice></SalesInvoices>')


def _params(envelope: bytes, operation: str) -> list[str]:
    call = child(child(parse_xml(envelope), "Body"), operation)
    assert call is not None and call.tag == f"{{{YUKI_NS}}}{operation}"
    return [local(p.tag) for p in call]


@pytest.mark.parametrize("operation, expected", [
    ("ProcessSalesInvoices", ["sessionId", "administrationId", "xmlDoc"]),
    ("ProcessJournal", ["sessionID", "administrationID", "xmlDoc"]),
    ("ImportStatement", ["sessionID", "administrationID", "statementText"]),
    ("ImportSingleStatementLine", ["sessionId", "accountGlCode", "transactionCode",
                                   "offsetAccount", "offsetName", "transactionDate",
                                   "transactionDescription", "amount"]),
    ("ActiveVATCodesList", ["sessionID", "administrationID"]),
    ("GetGLAccountScheme", ["sessionID", "administrationID"]),
    ("CheckOutstandingItem", ["sessionID", "Reference"]),
    ("SetCurrentDomain", ["sessionID", "domainID"]),
    ("Authenticate", ["accessKey"]),
])
def test_parameter_names_and_order_follow_the_wsdl(operation: str, expected: list[str]) -> None:
    values = {name: (xml_doc(SALES) if name == "xmlDoc" else "v") for name in expected}
    assert _params(build_envelope(operation, values), operation) == expected


def test_services_and_soap_action() -> None:
    assert OPERATIONS["ProcessSalesInvoices"].service == "Sales"
    assert OPERATIONS["ProcessJournal"].service == "Accounting"
    assert OPERATIONS["ImportStatement"].service == "Pettycash"
    assert OPERATIONS["ActiveVATCodesList"].service == "Vat"
    assert OPERATIONS["GetGLAccountScheme"].service == "AccountingInfo"
    assert OPERATIONS["Authenticate"].service is None
    assert OPERATIONS["ProcessJournal"].soap_action == '"http://www.theyukicompany.com/ProcessJournal"'


def test_xml_doc_is_embedded_as_elements_without_declaration() -> None:
    envelope = build_envelope("ProcessSalesInvoices", {
        "sessionId": "s", "administrationId": "a", "xmlDoc": xml_doc(SALES)})
    text = envelope.decode()
    assert text.count("<?xml") == 1 and "&lt;SalesInvoices" not in text
    doc = child(child(child(parse_xml(envelope), "Body"), "ProcessSalesInvoices"), "xmlDoc")
    root = next(iter(doc))
    # the document keeps its own namespace: the envelope's prefix does not leak into it
    assert root.tag == "{urn:xmlns:http://www.theyukicompany.com:salesinvoices}SalesInvoices"


def test_unqualified_document_stays_unqualified() -> None:
    envelope = build_envelope("ProcessJournal", {"xmlDoc": xml_doc("<Journal><A>1</A></Journal>")})
    doc = child(child(child(parse_xml(envelope), "Body"), "ProcessJournal"), "xmlDoc")
    assert next(iter(doc)).tag == "Journal"


def test_xml_doc_from_bytes_in_another_encoding() -> None:
    raw = '<?xml version="1.0" encoding="iso-8859-1"?><Journal>Café</Journal>'.encode("latin-1")
    assert xml_doc(raw).text == "<Journal>Café</Journal>"
    with pytest.raises(BadXml):
        xml_doc("<Journal><open></Journal>")


def test_text_values_are_escaped_and_keep_carriage_returns() -> None:
    csv = "a;b & c\r\n<x>;2\r\n"
    envelope = build_envelope("ImportStatement", {"statementText": csv})
    assert b"&#13;" in envelope
    param = child(child(child(parse_xml(envelope), "Body"), "ImportStatement"), "statementText")
    assert param.text == csv
    with pytest.raises(ValueError):
        build_envelope("ImportStatement", {"statementText": "bell\x07"})
    with pytest.raises(ValueError):
        build_envelope("ImportStatement", {"sessionId": "wrong casing"})


# --- results -----------------------------------------------------------------------------

POSTMAN_SALES = (  # the documented Postman example, plus a failed invoice
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<ProcessSalesInvoicesResponse xmlns="http://www.theyukicompany.com/">'
    "<ProcessSalesInvoicesResult><SalesInvoicesImportResponse"
    ' xmlns="urn:xmlns:http://www.theyukicompany.com:salesinvoicesresponse">'
    '<TimeStamp xmlns="">2025-10-23</TimeStamp>'
    '<AdministrationId xmlns="">e5151219-a7bd-44f7-b9b2-a87d379e71f6</AdministrationId>'
    '<TotalSucceeded xmlns="">1</TotalSucceeded><TotalFailed xmlns="">1</TotalFailed>'
    '<TotalSkipped xmlns="">0</TotalSkipped>'
    '<Invoice xmlns=""><Succeeded>true</Succeeded><Processed>true</Processed>'
    "<EmailSent>false</EmailSent><Reference>VF-0001</Reference><Subject>Testfactuur - 1"
    "</Subject><Contact>blabla 007</Contact><Message></Message></Invoice>"
    '<Invoice xmlns=""><Succeeded>false</Succeeded><Processed>false</Processed>'
    "<EmailSent>false</EmailSent><Reference>VF-0002</Reference><Subject>Testfactuur - 2"
    "</Subject><Message>No tax code</Message></Invoice>"
    "</SalesInvoicesImportResponse></ProcessSalesInvoicesResult>"
    "</ProcessSalesInvoicesResponse></soap:Body></soap:Envelope>"
)


def test_sales_result_with_unqualified_children() -> None:
    result = parse_sales_result(find_result(parse_xml(POSTMAN_SALES), "ProcessSalesInvoices"))
    assert (result.total_succeeded, result.total_failed, result.total_skipped) == (1, 1, 0)
    assert [i.reference for i in result.succeeded] == ["VF-0001"]
    failed = result.failed[0]
    assert (failed.reference, failed.message, failed.processed) == ("VF-0002", "No tax code", False)
    assert result.invoices[0].contact == "blabla 007"
    assert result.administration_id == "e5151219-a7bd-44f7-b9b2-a87d379e71f6"


def test_sales_result_as_escaped_text_with_utf16_declaration() -> None:
    inner = ('<?xml version="1.0" encoding="utf-16"?><SalesInvoicesImportResponse>'
             "<TotalSucceeded>0</TotalSucceeded><TotalFailed>1</TotalFailed>"
             "<Invoice><Succeeded>false</Succeeded><Reference>X-9</Reference>"
             "<Message>No tax code for VATPercentage 21 &amp; VATType 9</Message></Invoice>"
             "</SalesInvoicesImportResponse>")
    escaped = inner.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    answer = build_response("ProcessSalesInvoices", escaped)
    result = parse_sales_result(find_result(parse_xml(answer), "ProcessSalesInvoices"))
    assert result.total_failed == 1
    assert result.invoices[0].message == "No tax code for VATPercentage 21 & VATType 9"


def test_reference_lists() -> None:
    vat = parse_xml(build_response("ActiveVATCodesList", (
        '<VATCode><description>VAT 12%</description><type>21</type><typeDescription>VAT medium'
        '</typeDescription><percentage>12.00</percentage><startDate xsi:nil="true"/>'
        '<endDate xsi:nil="true"/></VATCode><VATCode><description>OSS NL</description><type>40'
        '</type><percentage>21.00</percentage><country>NL</country>'
        '<startDate>2021-07-01T00:00:00</startDate></VATCode>')))
    codes = parse_vat_codes(find_result(vat, "ActiveVATCodesList"))
    assert codes[0].type == 21 and codes[0].percentage == Decimal("12.00")
    assert codes[0].start_date is None and codes[1].country == "NL"
    assert codes[1].start_date == date(2021, 7, 1)
    gl = parse_xml(build_response("GetGLAccountScheme", (
        "<GlAccount><code>100000</code><type>2</type><subtype>0</subtype><isEnabled>true"
        "</isEnabled><descripton>Geplaatst kapitaal</descripton></GlAccount>")))
    account = parse_gl_accounts(find_result(gl, "GetGLAccountScheme"))[0]
    assert (account.code, account.type, account.is_enabled, account.description) == (
        "100000", 2, True, "Geplaatst kapitaal")
    adm = parse_xml(build_response("Administrations", (
        '<Administrations xmlns=""><Administration ID="a-1"><Name>Acme</Name><City>Gent</City>'
        "<DomainID>d-1</DomainID><Active>true</Active></Administration></Administrations>")))
    admins = parse_administrations(find_result(adm, "Administrations"))
    assert (admins[0].id, admins[0].name, admins[0].domain_id) == ("a-1", "Acme", "d-1")
    dom = parse_xml(build_response("Domains", (
        '<Domains xmlns=""><Domain ID="d-1"><Name>Acme</Name><URL>u</URL></Domain></Domains>')))
    assert parse_domains(find_result(dom, "Domains"))[0].name == "Acme"
    items = parse_xml(build_response("CheckOutstandingItem", (
        '<OutstandingItems xmlns=""><Item ID="i-1"><Date>2020-12-16</Date><OpenAmount>91.96'
        '</OpenAmount><OriginalAmount>91.96</OriginalAmount><Type ID="6">Sales invoice</Type>'
        "<Reference>NV2018/156</Reference></Item></OutstandingItems>")))
    item = parse_outstanding_items(find_result(items, "CheckOutstandingItem"))[0]
    assert (item.reference, item.open_amount, item.type_id) == ("NV2018/156", Decimal("91.96"), "6")


# --- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, operation, expected", [
    ("Invalid access key", "Authenticate", AccessDenied),
    ("Server was unable to process request. ---> Invalid access key", "Authenticate",
     AccessDenied),
    ("API-key has no rights to access this web service", "ProcessJournal", NoRights),
    ("Daily limit exceeded", "Administrations", DailyLimitExceeded),
    ("Invalid session ID.", "ProcessSalesInvoices", SessionExpired),
    ("The session has expired", "GetGLAccountScheme", SessionExpired),
    ("The journal does not balance", "ProcessJournal", DocumentRejected),
    ("Onbekende kas 570004: Kas Highpro / Unknown petty cash 570004: Kas Highpro",
     "ImportStatement", DocumentRejected),
    ("The journal does not balance", "Administrations", YukiFault),
    ("Server was unable to process request.", "ProcessJournal", YukiFault),
    ("Domain Acme has no active database", "ProcessSalesInvoices", YukiFault),
    ("The domain is not licensed for this functionality", "ProcessSalesInvoices", YukiFault),
])
def test_fault_classification(text: str, operation: str, expected: type) -> None:
    assert classify_fault(Fault("soap:Server", text), operation) is expected


def test_fault_roundtrip_shape() -> None:
    root = parse_xml(build_fault("Daily limit exceeded"))
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    assert find_fault(root) == Fault("soap:Server", "Daily limit exceeded")


# --- hostile XML -------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&lol3;
</soap:Body></soap:Envelope>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<x>&e;</x>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<a>" * 10 + "unclosed"])
def test_hostile_xml_is_refused_cleanly(hostile: str) -> None:
    with pytest.raises(BadXml):
        parse_xml(hostile.encode())


def test_oversized_xml_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("yukimap.soap.MAX_XML_BYTES", 100)
    with pytest.raises(BadXml, match="larger"):
        parse_xml(b"<a>" + b"x" * 200 + b"</a>")


# --- the sandbox side --------------------------------------------------------------------


def test_parse_request_ignores_wrong_casing_like_asmx() -> None:
    body = build_envelope("ProcessJournal", {"sessionID": "s-1", "administrationID": "a-1",
                                             "xmlDoc": xml_doc("<Journal/>")})
    request = parse_request(body, OPERATIONS["ProcessJournal"].soap_action)
    assert request.values["sessionID"] == "s-1" and local(request.xml_doc.tag) == "Journal"
    wrong = body.replace(b"y:sessionID>", b"y:sessionId>")
    assert "sessionID" not in parse_request(wrong, '"http://www.theyukicompany.com/ProcessJournal"').values
    with pytest.raises(BadXml, match="SOAPAction"):
        parse_request(body, '"http://www.theyukicompany.com/Nope"')
