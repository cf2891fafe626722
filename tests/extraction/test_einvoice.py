"""E-invoices embedded in PDFs (ZUGFeRD / Factur-X / XRechnung): the XML's values, placed on the page."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest

from pipeline.extraction.einvoice import find_invoice_xml, parse_invoice_xml, read_embedded_invoice
from pipeline.extraction.evaluation import evaluate_truth_file

CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocument><ram:ID>RE-2025-117</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20250314</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:SpecifiedTradeProduct><ram:Name>Kopierpapier A4</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>4.5000</ram:ChargeAmount>
   </ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">200</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation>
    <ram:LineTotalAmount>900.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:SellerTradeParty><ram:Name>Papierhaus Nord GmbH</ram:Name>
    <ram:PostalTradeAddress><ram:PostcodeCode>20095</ram:PostcodeCode><ram:LineOne>Mönckebergstraße 7</ram:LineOne>
     <ram:CityName>Hamburg</ram:CityName><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">22/123/45678</ram:ID></ram:SpecifiedTaxRegistration>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE136695976</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Kontor Süd AG</ram:Name></ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-7781</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans><ram:PayeePartyCreditorFinancialAccount>
    <ram:IBANID>DE89370400440532013000</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
   </ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:SpecifiedTradePaymentTerms><ram:Description>Zahlbar innerhalb von 14 Tagen</ram:Description>
    <ram:DueDateDateTime><udt:DateTimeString format="102">20250328</udt:DateTimeString></ram:DueDateDateTime>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>900.00</ram:LineTotalAmount><ram:TaxBasisTotalAmount>900.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">{tax}</ram:TaxTotalAmount><ram:GrandTotalAmount>1071.00</ram:GrandTotalAmount>
    <ram:DuePayableAmount>1071.00</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>INV-9</cbc:ID><cbc:IssueDate>2025-03-14</cbc:IssueDate><cbc:DueDate>2025-04-13</cbc:DueDate>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>PO-1</cbc:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PostalAddress><cbc:StreetName>Hoofdstraat 1</cbc:StreetName><cbc:CityName>Utrecht</cbc:CityName>
   <cbc:PostalZone>3511 AA</cbc:PostalZone></cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>NL123456789B01</cbc:CompanyID></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Bakker B.V.</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Klant NV</cbc:Name></cac:PartyName>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:PaymentMeans><cac:PayeeFinancialAccount><cbc:ID>NL91ABNA0417164300</cbc:ID></cac:PayeeFinancialAccount>
 </cac:PaymentMeans>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">21.00</cbc:TaxAmount></cac:TaxTotal>
 <cac:TaxTotal><cbc:TaxAmount currencyID="USD">22.80</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">121.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">121.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:InvoicedQuantity unitCode="H87">4</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Broodjes</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount>
  </cac:Price></cac:InvoiceLine>
</Invoice>
"""


def pdf_with(xml: bytes | None, *, attachment: str = "factur-x.xml") -> bytes:
    """A visible invoice (reportlab) with the XML attached as a PDF/A-3 file would carry it."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(595, 842))
    for y, text in [(800, "Papierhaus Nord GmbH"), (760, "Rechnung Nr. RE-2025-117"), (740, "Datum: 14.03.2025"),
                    (600, "Kopierpapier A4      200      4,50      900,00"), (500, "Gesamtbetrag 1.071,00 EUR")]:
        c.drawString(60, y, text)
    c.showPage()
    c.save()
    if xml is None:
        return buffer.getvalue()
    pdf = pdfium.PdfDocument(buffer.getvalue())
    pdf.new_attachment(attachment).set_data(xml)
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def test_cii_fields_and_items():
    kind, fields, items = parse_invoice_xml(CII.format(tax="171.00").encode())
    assert kind == "cii"
    assert fields == {
        "invoice_number": "RE-2025-117", "invoice_date": "2025-03-14", "due_date": "2025-03-28",
        "vendor_name": "Papierhaus Nord GmbH", "vendor_address": "Mönckebergstraße 7, 20095 Hamburg",
        "vendor_tax_id": "DE136695976", "customer_name": "Kontor Süd AG", "po_number": "PO-7781", "currency": "EUR",
        "subtotal": "900.00", "tax": "171.00", "total": "1071.00", "amount_due": "1071.00",
        "payment_terms": "Zahlbar innerhalb von 14 Tagen", "iban": "DE89370400440532013000",
        "_tax_basis": "900.00",
    }
    assert items == [{"description": "Kopierpapier A4", "quantity": "200", "unit_price": "4.50", "amount": "900.00"}]


def test_ubl_fields_take_the_invoice_currencys_tax():
    kind, fields, items = parse_invoice_xml(UBL.encode())
    assert kind == "ubl"
    assert fields["vendor_name"] == "Bakker B.V."
    assert fields["vendor_address"] == "Hoofdstraat 1, 3511 AA Utrecht"
    assert (fields["tax"], fields["total"], fields["subtotal"]) == ("21.00", "121.00", "100.00")
    assert (fields["due_date"], fields["po_number"], fields["iban"]) == ("2025-04-13", "PO-1", "NL91ABNA0417164300")
    assert items == [{"description": "Broodjes", "quantity": "4", "unit_price": "25.00", "amount": "100.00"}]


@pytest.mark.parametrize("xml", [
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><rsm:CrossIndustryInvoice xmlns:rsm="u">&a;'
    b"</rsm:CrossIndustryInvoice>",
    b"<Order><ID>1</ID></Order>",
    b"<Invoice><ID>1</Invoice>",
])
def test_dtds_other_documents_and_broken_xml_are_refused(xml):
    with pytest.raises(ValueError):
        parse_invoice_xml(xml)


def test_embedded_invoice_is_read_and_placed_on_the_page():
    data = pdf_with(CII.format(tax="171.00").encode())
    assert find_invoice_xml(data)[0] == "factur-x.xml"
    result = read_embedded_invoice(data, name="a.pdf")
    assert result is not None and result.error is None
    assert result.engine == "einvoice-cii"
    total = result.fields["total"]
    assert total.value == "1071.00" and total.confidence >= 85 and total.page == 1
    left, top, width, height = total.bbox
    assert 0 < left < 1 and 0.35 < top < 0.45 and 0 < width < 0.5  # "1.071,00" is drawn 342 pt from the top
    assert result.fields["invoice_date"].bbox is not None  # printed as 14.03.2025
    assert result.fields["iban"].bbox is None  # not printed: from the XML only, still trusted
    assert result.fields["iban"].confidence >= 85
    assert result.line_items[0].description == "Kopierpapier A4" and result.line_items[0].bbox is not None
    assert result.issues == []


def test_totals_that_do_not_add_up_lose_their_confidence():
    result = read_embedded_invoice(pdf_with(CII.format(tax="170.00").encode()), name="a.pdf")
    assert result.issues and "do not add up" in result.issues[0]
    assert all(result.fields[f].confidence < 85 for f in ("subtotal", "tax", "total", "amount_due"))
    assert result.fields["invoice_number"].confidence >= 85


@pytest.mark.parametrize(("xml", "name"), [
    (None, ""),
    (b"<notes>hello</notes>", "notes.xml"),
    (b"<Invoice><ID>1</ID>", "factur-x.xml"),  # broken
])
def test_no_embedded_invoice_gives_none(xml, name):
    data = pdf_with(xml, attachment=name) if xml is not None else pdf_with(None)
    assert read_embedded_invoice(data) is None


def test_not_a_pdf_gives_none():
    assert read_embedded_invoice(b"") is None
    assert read_embedded_invoice(b"%PDF-1.7 garbage") is None


@pytest.mark.corpus
def test_einvoice_corpus_is_read_exactly(corpus, monkeypatch):
    """The corpus's truth was taken from the same XML: this checks the reader, not the field finder."""
    import pipeline.extraction.evaluation as evaluation

    def embedded_only(data, *, name, engine="local"):
        result = read_embedded_invoice(data, name=name)
        return result.to_dict() if result else {"file": name, "error": "no embedded invoice"}

    monkeypatch.setattr(evaluation, "run_engine", embedded_only)
    report, _ = evaluate_truth_file(corpus / "einvoice" / "truth.jsonl")
    assert report.errors == 0
    assert report.field_accuracy == 1.0
    assert report.item_f1 == 1.0
    assert report.auto_accept_precision == 1.0


def test_a_printed_value_that_differs_from_the_xml_goes_to_a_person(corpus):
    from pipeline.extraction import extract

    result = extract((corpus / "einvoice" / "MustangBeispiel20221026.pdf").read_bytes(), name="m.pdf")
    assert result.engine.startswith("einvoice")
    assert result.fields["total"].value == "963.11"  # the XML's (legal) value…
    assert result.fields["total"].confidence < 85  # …but the page prints 963,12: not auto-accepted
    assert any("total" in issue and "963.12" in issue for issue in result.issues)
    assert result.fields["invoice_number"].confidence >= 85  # values both agree on stay sure
