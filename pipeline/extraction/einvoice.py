"""Structured e-invoices embedded in PDFs: ZUGFeRD 1/2, Factur-X and XRechnung (CII or UBL syntax).

Such a PDF carries the invoice as XML in an attachment (``factur-x.xml``, ``zugferd-invoice.xml``,
``ZUGFeRD-invoice.xml``, ``xrechnung.xml``, ...). Under EN 16931 the XML *is* the invoice, so its values are taken
exactly, with high confidence, and each is located among the PDF's words to give a page and a bounding box.

    read_embedded_invoice(data, name=...) -> ExtractionResult | None   # None: no e-invoice inside

The two syntaxes of EN 16931 are read by their standard element paths, not by producer:
- UN/CEFACT Cross Industry Invoice (``rsm:CrossIndustryInvoice``; ZUGFeRD 2, Factur-X, XRechnung-CII), and its
  ZUGFeRD 1.0 predecessor (``rsm:CrossIndustryDocument``), whose paths differ in a few names;
- OASIS UBL 2.1 (``Invoice`` / ``CreditNote``; XRechnung-UBL, Peppol).

The XML is parsed with the standard library after refusing DTDs and entity declarations (e-invoices never have
them), which rules out entity expansion and external entities; size is capped.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from .types import AMOUNT_FIELDS, DATE_FIELDS, Document, ExtractionResult, FieldValue, LineItem, Word, union_bbox

__all__ = ["find_invoice_xml", "parse_invoice_xml", "read_embedded_invoice"]

MAX_XML_BYTES = 5 * 1024 * 1024
KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
CONFIDENCE_SEEN = 99.0  # the value is in the XML and printed on the page
CONFIDENCE_XML_ONLY = 95.0  # in the XML (the legal invoice) but not found among the page's words
CONFIDENCE_INCONSISTENT = 70.0  # amounts of an XML whose totals do not add up

_ROOTS = {"CrossIndustryInvoice": "cii", "CrossIndustryDocument": "cii", "Invoice": "ubl", "CreditNote": "ubl"}


# --- finding the XML --------------------------------------------------------------------------------------------
def _root_kind(xml: bytes) -> str | None:
    head = xml[:4096].decode("utf-8", "ignore")
    m = re.search(r"<(?:[\w.-]+:)?(CrossIndustryInvoice|CrossIndustryDocument|Invoice|CreditNote)[\s>/]", head)
    return _ROOTS[m.group(1)] if m else None


def find_invoice_xml(data: bytes) -> tuple[str, bytes] | None:
    """(attachment name, XML bytes) of the PDF's embedded e-invoice, or None. Never raises for a bad PDF."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:
        return None
    try:
        found: list[tuple[int, str, bytes]] = []
        for i in range(pdf.count_attachments()):
            try:
                attachment = pdf.get_attachment(i)
                name = attachment.get_name() or ""
                if not name.lower().endswith(".xml"):
                    continue
                xml = bytes(attachment.get_data())
            except Exception:
                continue
            if len(xml) > MAX_XML_BYTES or _root_kind(xml) is None:
                continue
            found.append((0 if name.lower() in KNOWN_NAMES else 1, name, xml))
        if not found:
            return None
        found.sort(key=lambda f: f[0])
        return found[0][1], found[0][2]
    finally:
        pdf.close()


# --- reading the XML --------------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first(e: ET.Element | None, *path: str) -> ET.Element | None:
    """The first element down ``path`` (local names; "A|B" accepts either), or None."""
    for step in path:
        if e is None:
            return None
        names = step.split("|")
        e = next((c for c in e if _local(c.tag) in names), None)
    return e


def _all(e: ET.Element | None, name: str) -> list[ET.Element]:
    names = name.split("|")
    return [] if e is None else [c for c in e if _local(c.tag) in names]


def _text(e: ET.Element | None, *path: str) -> str | None:
    found = _first(e, *path) if path else e
    if found is None or found.text is None:
        return None
    text = re.sub(r"\s+", " ", found.text).strip()
    return text or None


def _amount(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if value.as_tuple().exponent < -2 and value == value.quantize(Decimal("0.01")):
        value = value.quantize(Decimal("0.01"))  # "60.0000" → "60.00"
    return f"{value:f}"


def _date(text: str | None, fmt: str | None = None) -> str | None:
    if not text:
        return None
    text = text.strip()
    try:
        if (fmt in (None, "102")) and re.fullmatch(r"\d{8}", text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text[:10]):
            return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None
    return None


def _cii_date(e: ET.Element | None) -> str | None:
    s = _first(e, "DateTimeString")
    return _date(_text(s), s.get("format")) if s is not None else None


def _address(lines: list[str | None], postcode: str | None, city: str | None) -> str | None:
    parts = [line for line in lines if line]
    place = " ".join(p for p in (postcode, city) if p)
    if place:
        parts.append(place)
    return ", ".join(parts) or None


def _tax_id(registrations: list[ET.Element]) -> str | None:
    """The VAT id (scheme VA) if given, else the tax number (FC)."""
    by_scheme = {}
    for reg in registrations:
        id_ = _first(reg, "ID")
        if id_ is not None and _text(id_):
            by_scheme.setdefault(id_.get("schemeID", ""), _text(id_))
    return by_scheme.get("VA") or by_scheme.get("FC") or next(iter(by_scheme.values()), None)


def _currency_amount(elements: list[ET.Element], currency: str | None) -> str | None:
    """Of several amounts (e.g. tax in the invoice and in the accounting currency), the invoice currency's."""
    for e in elements:
        if currency is None or e.get("currencyID") in (None, currency):
            return _amount(_text(e))
    return _amount(_text(elements[0])) if elements else None


def _parse_cii(root: ET.Element) -> tuple[dict[str, str], list[dict[str, str | None]]]:
    doc = _first(root, "ExchangedDocument|HeaderExchangedDocument")
    tx = _first(root, "SupplyChainTradeTransaction|SpecifiedSupplyChainTradeTransaction")
    agreement = _first(tx, "ApplicableHeaderTradeAgreement|ApplicableSupplyChainTradeAgreement")
    settlement = _first(tx, "ApplicableHeaderTradeSettlement|ApplicableSupplyChainTradeSettlement")
    seller = _first(agreement, "SellerTradeParty")
    address = _first(seller, "PostalTradeAddress")
    sums = _first(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation|SpecifiedTradeSettlementMonetarySummation")
    terms = _first(settlement, "SpecifiedTradePaymentTerms")
    currency = _text(settlement, "InvoiceCurrencyCode")
    fields = {
        "invoice_number": _text(doc, "ID"),
        "invoice_date": _cii_date(_first(doc, "IssueDateTime")),
        "due_date": _cii_date(_first(terms, "DueDateDateTime")),
        "vendor_name": _text(seller, "Name"),
        "vendor_address": _address([_text(address, n) for n in ("LineOne", "LineTwo", "LineThree")],
                                   _text(address, "PostcodeCode"), _text(address, "CityName")),
        "vendor_tax_id": _tax_id(_all(seller, "SpecifiedTaxRegistration")),
        "customer_name": _text(agreement, "BuyerTradeParty", "Name"),
        "po_number": _text(agreement, "BuyerOrderReferencedDocument", "IssuerAssignedID|ID"),
        "currency": currency.upper() if currency else None,
        "subtotal": _amount(_text(sums, "LineTotalAmount")),
        "tax": _currency_amount(_all(sums, "TaxTotalAmount"), currency),
        "total": _amount(_text(sums, "GrandTotalAmount")),
        "amount_due": _amount(_text(sums, "DuePayableAmount")),
        "payment_terms": _text(terms, "Description"),
        "iban": _text(settlement, "SpecifiedTradeSettlementPaymentMeans", "PayeePartyCreditorFinancialAccount",
                      "IBANID"),
    }
    items = []
    for line in _all(tx, "IncludedSupplyChainTradeLineItem"):
        price = _first(line, "SpecifiedLineTradeAgreement|SpecifiedSupplyChainTradeAgreement",
                       "NetPriceProductTradePrice")
        unit_price = _amount(_text(price, "ChargeAmount"))
        basis = _amount(_text(price, "BasisQuantity"))
        if unit_price is not None and basis not in (None, "0", "0.00") and Decimal(basis) != 1:
            unit_price = _amount(str(Decimal(unit_price) / Decimal(basis)))
        items.append({
            "description": _text(line, "SpecifiedTradeProduct", "Name") or "",
            "quantity": _amount(_text(line, "SpecifiedLineTradeDelivery|SpecifiedSupplyChainTradeDelivery",
                                      "BilledQuantity")),
            "unit_price": unit_price,
            "amount": _amount(_text(line, "SpecifiedLineTradeSettlement|SpecifiedSupplyChainTradeSettlement",
                                    "SpecifiedTradeSettlementLineMonetarySummation"
                                    "|SpecifiedTradeSettlementMonetarySummation", "LineTotalAmount")),
        })
    extra = {"tax_basis": _amount(_text(sums, "TaxBasisTotalAmount")),
             "allowances": _amount(_text(sums, "AllowanceTotalAmount")),
             "charges": _amount(_text(sums, "ChargeTotalAmount"))}
    return {**fields, **{f"_{k}": v for k, v in extra.items()}}, items


def _parse_ubl(root: ET.Element) -> tuple[dict[str, str], list[dict[str, str | None]]]:
    supplier = _first(root, "AccountingSupplierParty", "Party")
    customer = _first(root, "AccountingCustomerParty", "Party")
    address = _first(supplier, "PostalAddress")
    sums = _first(root, "LegalMonetaryTotal")
    currency = _text(root, "DocumentCurrencyCode")
    tax_totals = [_first(t, "TaxAmount") for t in _all(root, "TaxTotal")]

    def party_name(party):
        return _text(party, "PartyName", "Name") or _text(party, "PartyLegalEntity", "RegistrationName")

    fields = {
        "invoice_number": _text(root, "ID"),
        "invoice_date": _date(_text(root, "IssueDate")),
        "due_date": _date(_text(root, "DueDate")) or _date(_text(root, "PaymentMeans", "PaymentDueDate")),
        "vendor_name": party_name(supplier),
        "vendor_address": _address([_text(address, n) for n in ("StreetName", "AdditionalStreetName")],
                                   _text(address, "PostalZone"), _text(address, "CityName")),
        "vendor_tax_id": _text(supplier, "PartyTaxScheme", "CompanyID"),
        "customer_name": party_name(customer),
        "po_number": _text(root, "OrderReference", "ID"),
        "currency": currency.upper() if currency else None,
        "subtotal": _amount(_text(sums, "LineExtensionAmount")),
        "tax": _currency_amount([t for t in tax_totals if t is not None], currency),
        "total": _amount(_text(sums, "TaxInclusiveAmount")),
        "amount_due": _amount(_text(sums, "PayableAmount")),
        "payment_terms": _text(root, "PaymentTerms", "Note"),
        "iban": _text(root, "PaymentMeans", "PayeeFinancialAccount", "ID"),
    }
    items = []
    for line in _all(root, "InvoiceLine|CreditNoteLine"):
        items.append({
            "description": _text(line, "Item", "Name") or _text(line, "Item", "Description") or "",
            "quantity": _amount(_text(line, "InvoicedQuantity|CreditedQuantity")),
            "unit_price": _amount(_text(line, "Price", "PriceAmount")),
            "amount": _amount(_text(line, "LineExtensionAmount")),
        })
    extra = {"tax_basis": _amount(_text(sums, "TaxExclusiveAmount")),
             "allowances": _amount(_text(sums, "AllowanceTotalAmount")),
             "charges": _amount(_text(sums, "ChargeTotalAmount"))}
    return {**fields, **{f"_{k}": v for k, v in extra.items()}}, items


def parse_invoice_xml(xml: bytes) -> tuple[str, dict[str, str], list[dict[str, str | None]]]:
    """(syntax "cii"/"ubl", fields, line items) of an e-invoice XML. Raises ValueError if it is not one.

    Fields are the contract's names with their values; keys starting with ``_`` are amounts kept for the
    cross-checks (tax basis, allowances, charges), not fields.
    """
    if len(xml) > MAX_XML_BYTES:
        raise ValueError("the embedded XML is too large")
    if re.search(rb"<!(?:DOCTYPE|ENTITY)", xml[:65536], re.I) or b"<!ENTITY" in xml:
        raise ValueError("the embedded XML declares a DTD or entities, which e-invoices never do")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ValueError(f"the embedded XML is not well-formed ({exc})") from None
    kind = _ROOTS.get(_local(root.tag))
    if kind is None:
        raise ValueError(f"the embedded XML is not an invoice (root {_local(root.tag)})")
    fields, items = _parse_cii(root) if kind == "cii" else _parse_ubl(root)
    return kind, {k: v for k, v in fields.items() if v}, items


# --- placing values on the page ---------------------------------------------------------------------------------
def _squash(text: str) -> str:
    from .parsing.text import fold

    return re.sub(r"[\W_]+", "", fold(text))


def _matcher(name: str, value: str) -> Callable[[str], bool] | None:
    if name in AMOUNT_FIELDS or name in ("quantity", "unit_price", "amount"):
        from .parsing.amounts import parse_amount

        target = Decimal(value)
        return lambda text: parse_amount(text) == target or parse_amount(text, decimal_sep=",") == target
    if name in DATE_FIELDS:
        from .parsing.dates import parse_date

        target_date = date.fromisoformat(value)
        years = {str(target_date.year), str(target_date.year)[2:]}

        def same_date(text: str) -> bool:
            numbers = re.findall(r"\d+", text)  # cheap first: the day and the year must both be there
            if not (any(n in years for n in numbers) and any(int(n) == target_date.day for n in numbers)):
                return False
            return any(parse_date(text, order=o) == target_date for o in ("DMY", "MDY"))

        return same_date
    if name == "currency":
        return None  # a code or symbol printed many times: no single place
    target = _squash(value)
    if not target:
        return None
    return lambda text: _squash(text) == target


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit()).rstrip("0")


def _locate(words: list[Word], name: str, value: str, max_words: int = 8) -> tuple[int, tuple] | None:
    """(page, bbox) of the first run of consecutive words on one page that reads as ``value``."""
    match = _matcher(name, value)
    if match is None:
        return None
    is_number = name in AMOUNT_FIELDS or name in ("quantity", "unit_price", "amount")
    # Cheap filters before the real comparison: the same letters and digits (text), the same digits (amounts).
    key = _digits(value) if is_number else None if name in DATE_FIELDS else _squash(value)
    for i in range(len(words)):
        text = ""
        for j in range(i, min(len(words), i + max_words)):
            if words[j].page != words[i].page:
                break
            text = f"{text} {words[j].text}" if text else words[j].text
            if key is not None:
                have = _digits(text) if is_number else _squash(text)
                if not key.startswith(have):
                    if len(have) >= len(key) or have:
                        break
                    continue  # nothing comparable yet (a currency sign): read on
                if have != key:
                    continue
            if match(text):
                return words[i].page, union_bbox(words[i : j + 1])
    return None


def _adds_up(fields: dict[str, str]) -> bool:
    """Tax basis + tax = total (when the XML gives them); the line total ± allowances/charges = the tax basis."""
    try:
        total, tax = Decimal(fields["total"]), Decimal(fields.get("tax", "0"))
        basis = fields.get("_tax_basis")
        if basis is not None and abs(Decimal(basis) + tax - total) > Decimal("0.01"):
            return False
        if basis is not None and "subtotal" in fields:
            expected = (Decimal(fields["subtotal"]) - Decimal(fields.get("_allowances") or 0)
                        + Decimal(fields.get("_charges") or 0))
            if abs(expected - Decimal(basis)) > Decimal("0.01"):
                return False
    except (KeyError, InvalidOperation):
        return True  # nothing to check against
    return True


def read_embedded_invoice(data: bytes, *, name: str = "", document: Document | None = None) -> ExtractionResult | None:
    """The embedded e-invoice of a PDF as a result, or None when there is none (or it cannot be read).

    ``document`` is the PDF's text layer if the caller has read it already (used to place values on the page).
    """
    started = time.perf_counter()
    found = find_invoice_xml(data)
    if found is None:
        return None
    attachment, xml = found
    try:
        kind, fields, items = parse_invoice_xml(xml)
    except ValueError:
        return None
    if not fields.get("total") and not fields.get("invoice_number"):
        return None
    parsed = time.perf_counter()
    if document is None:
        from .pdftext import read_pdf

        try:
            document = read_pdf(data).document
        except Exception:
            document = None
    words = document.words if document is not None else []
    consistent = _adds_up(fields)
    result = ExtractionResult(file=name, engine=f"einvoice-{kind}", pages=document.page_count if document else 1)
    for field_name, value in fields.items():
        if field_name.startswith("_"):
            continue
        place = _locate(words, field_name, value)
        confidence = CONFIDENCE_SEEN if place else CONFIDENCE_XML_ONLY
        if field_name in AMOUNT_FIELDS and not consistent:
            confidence = CONFIDENCE_INCONSISTENT
        page, bbox = place if place else (None, None)
        result.fields[field_name] = FieldValue(value, confidence, page, bbox)
    if not consistent:
        result.issues.append(f"the embedded {attachment} has totals that do not add up")
    for item in items:
        place = _locate(words, "description", item["description"]) if item["description"] else None
        result.line_items.append(LineItem(
            description=item["description"], quantity=item["quantity"], unit_price=item["unit_price"],
            amount=item["amount"], confidence=CONFIDENCE_SEEN if place else CONFIDENCE_XML_ONLY,
            page=place[0] if place else None, bbox=place[1] if place else None,
        ))
    result.timings_ms = {"read": (parsed - started) * 1000, "parse": (time.perf_counter() - parsed) * 1000}
    if document is not None:
        result.timings_ms["read"] += document.timings_ms.get("read", 0.0)
    return result
