"""Per-locale vocabulary and formats: label synonyms, date formats, number formats, payment terms.

A spec picks ONE synonym per label key when it is created, so a document is self-consistent while the corpus
varies. Placeholders: ``{rate}`` (a formatted percentage), ``{n}``/``{total}`` (pages), ``{days}``,
``{date}``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import get_month_names

from .money import CH, EU, FR, FR_NBSP, PLAIN_COMMA, US, NumberFormat

L = dict[str, tuple[str, ...]]

EN: L = {
    "title": ("INVOICE", "Invoice", "TAX INVOICE", "Invoice", "INVOICE"),
    "invoice_number": ("Invoice No.", "Invoice #", "Invoice Number", "Invoice no:", "Inv. No.", "Invoice"),
    "invoice_date": ("Invoice Date", "Date", "Date of Issue", "Issue Date", "Invoice date", "Dated"),
    "due_date": ("Due Date", "Payment Due", "Due", "Due by", "Payment due date", "Pay by"),
    "po_number": ("PO Number", "P.O. #", "Purchase Order", "Your PO", "PO No.", "Order Ref."),
    "customer_number": ("Customer No.", "Customer ID", "Account No.", "Client #", "Customer Ref."),
    "order_date": ("Order Date", "Date Ordered", "Order date"),
    "delivery_date": ("Delivery Date", "Ship Date", "Date Shipped", "Date of Supply", "Delivered"),
    "service_period": ("Service Period", "Billing Period", "Period"),
    "delivery_note": ("Delivery Note", "Packing Slip", "Shipment No."),
    "payment_terms": ("Terms", "Payment Terms", "Terms of Payment", "Payment terms"),
    "bill_to": ("Bill To", "BILL TO", "Billed To", "Invoice To", "Customer", "To", "Sold To"),
    "ship_to": ("Ship To", "SHIP TO", "Deliver To", "Delivery Address", "Shipped To"),
    "from": ("From", "Supplier", "Seller"),
    "vat_id": ("VAT No.", "VAT Reg. No.", "VAT Registration No.", "VAT number", "VAT ID"),
    "customer_vat_id": ("Customer VAT No.", "Your VAT No.", "Buyer VAT ID"),
    "pos": ("#", "No.", "Item", "Pos."),
    "sku": ("Item Code", "SKU", "Part No.", "Product Code", "Ref."),
    "description": ("Description", "Item Description", "DESCRIPTION", "Details", "Product / Service", "Item"),
    "quantity": ("Qty", "Quantity", "QTY", "Units", "Hrs/Qty"),
    "unit": ("Unit", "UoM", "Unit"),
    "unit_price": ("Unit Price", "Rate", "Price", "Unit Cost", "Price Each", "UNIT PRICE"),
    "discount_col": ("Disc. %", "Discount", "Disc"),
    "vat_col": ("VAT %", "VAT", "Tax %", "VAT Rate"),
    "amount": ("Amount", "Total", "Line Total", "AMOUNT", "Net Amount", "Ext. Price"),
    "subtotal": ("Subtotal", "Sub-total", "Net Total", "SUBTOTAL", "Total excl. VAT", "Net Amount"),
    "discount": ("Discount", "Less Discount", "Discount ({rate}%)"),
    "shipping": ("Shipping", "Shipping & Handling", "Freight", "Delivery", "Postage & Packing"),
    "tax": ("VAT {rate}%", "VAT @ {rate}%", "VAT ({rate}%)", "Tax ({rate}%)"),
    "tax_total": ("Total VAT", "VAT Total", "Tax Total"),
    "total": ("Total", "TOTAL", "Invoice Total", "Grand Total", "Total (incl. VAT)", "Total Amount", "Invoice Amount"),
    "amount_paid": ("Amount Paid", "Paid", "Less: Deposit Received", "Payments/Credits", "Deposit Paid"),
    "amount_due": ("Amount Due", "Balance Due", "BALANCE DUE", "Amount Payable", "Please Pay", "Total Due"),
    "previous_balance": ("Previous Balance", "Balance Brought Forward", "Outstanding from previous invoices"),
    "carried_forward": ("Carried forward", "Subtotal carried forward", "Continued on next page – subtotal"),
    "brought_forward": ("Brought forward", "Subtotal brought forward", "Balance from previous page"),
    "page": ("Page {n} of {total}", "Page {n}/{total}", "{n} / {total}", "Page {n}"),
    "phone": ("Tel", "Phone", "T", "Tel."),
    "fax": ("Fax", "F"),
    "email": ("Email", "E-mail", "E"),
    "web": ("Web", "www", "W"),
    "bank": ("Bank", "Bank name", "Bank details", "Payment details"),
    "iban": ("IBAN", "IBAN:"),
    "bic": ("BIC", "SWIFT/BIC", "SWIFT"),
    "account_no": ("Account No.", "Account Number", "Acct #"),
    "sort_code": ("Sort Code",),
    "routing": ("Routing No.", "ABA Routing", "Routing #"),
    "currency": ("Currency", "Currency:", "All amounts in"),
    "contact": ("Contact", "Your contact", "Sales Rep", "Prepared by"),
    "reference": ("Reference", "Your Ref.", "Project"),
    "company_reg": ("Company No.", "Registered in England & Wales No.", "Company Reg. No."),
    "thanks": (
        "Thank you for your business!",
        "Thank you for your order.",
        "We appreciate your business.",
        "Thank you!",
    ),
    "reverse_charge": (
        "Reverse charge: VAT to be accounted for by the recipient.",
        "Intra-community supply – reverse charge applies.",
    ),
    "exempt": ("VAT exempt supply.", "No VAT charged – exempt.", "Tax exempt"),
    "net": ("Net", "Net amount"),
    "gross": ("Gross", "Total"),
    "vat_rate_label": ("VAT rate", "Rate"),
    "pay_by_transfer": (
        "Please pay by bank transfer to:",
        "Payment by bank transfer to the account below.",
        "Remit payment to:",
        "Please quote the invoice number with your payment.",
    ),
    "summary_hdr": ("Summary", "Invoice Summary"),
}
EN_US: L = {
    **EN,
    "title": ("INVOICE", "Invoice", "INVOICE", "Sales Invoice"),
    "tax": ("Sales Tax ({rate}%)", "Tax ({rate}%)", "Sales Tax @ {rate}%", "Tax {rate}%"),
    "tax_total": ("Total Tax", "Tax"),
    "total": ("Total", "TOTAL", "Invoice Total", "Grand Total", "Total Amount"),
    "vat_id": ("Tax ID", "EIN", "Federal Tax ID", "GST/HST No."),
    "subtotal": ("Subtotal", "SUBTOTAL", "Sub Total", "Merchandise Total"),
    "shipping": ("Shipping", "Shipping & Handling", "Freight", "S&H"),
    "exempt": ("Tax exempt", "Sales tax not applicable", "Tax-exempt sale"),
    "thanks": ("Thank you for your business!", "Thanks for your business.", "Questions? Contact us any time."),
}

DE: L = {
    "title": ("RECHNUNG", "Rechnung", "Rechnung", "Rechnung"),
    "invoice_number": ("Rechnungsnummer", "Rechnung Nr.", "Rechnungs-Nr.", "Rechnungsnr.", "Beleg-Nr.", "Nr."),
    "invoice_date": ("Rechnungsdatum", "Datum", "Rechnungsdatum", "Belegdatum"),
    "due_date": ("Fällig am", "Fälligkeitsdatum", "Zahlbar bis", "Fällig bis", "Zahlungsziel"),
    "po_number": ("Bestellnummer", "Ihre Bestellung", "Ihre Bestell-Nr.", "Bestell-Nr.", "Ihr Auftrag"),
    "customer_number": ("Kundennummer", "Kunden-Nr.", "Kd.-Nr.", "Debitor"),
    "order_date": ("Bestelldatum", "Auftragsdatum", "Ihre Bestellung vom"),
    "delivery_date": ("Lieferdatum", "Leistungsdatum", "Liefertag", "Leistungsdatum entspricht"),
    "service_period": ("Leistungszeitraum", "Abrechnungszeitraum", "Zeitraum"),
    "delivery_note": ("Lieferschein-Nr.", "Lieferschein", "Lieferscheinnummer"),
    "payment_terms": ("Zahlungsbedingungen", "Zahlungsbedingung", "Zahlungsziel", "Konditionen"),
    "bill_to": ("Rechnungsempfänger", "Rechnungsadresse", "Kunde", "An"),
    "ship_to": ("Lieferadresse", "Lieferanschrift", "Versandadresse", "Lieferung an"),
    "from": ("Absender", "Lieferant", "Von"),
    "vat_id": ("USt-IdNr.", "USt-ID", "Umsatzsteuer-ID", "USt.-Id.-Nr.", "UID-Nr."),
    "customer_vat_id": ("Ihre USt-IdNr.", "USt-IdNr. Kunde", "Ihre UID"),
    "pos": ("Pos.", "Pos", "Nr."),
    "sku": ("Art.-Nr.", "Artikelnr.", "Artikel", "Material"),
    "description": ("Bezeichnung", "Beschreibung", "Artikel / Leistung", "Leistung", "Artikelbezeichnung"),
    "quantity": ("Menge", "Anzahl", "Anz.", "Mng."),
    "unit": ("Einheit", "ME", "Einh."),
    "unit_price": ("Einzelpreis", "E-Preis", "Preis", "Einzelpr.", "Stückpreis"),
    "discount_col": ("Rabatt", "Rabatt %", "Rab."),
    "vat_col": ("USt.", "MwSt.", "USt %", "Steuer"),
    "amount": ("Gesamtpreis", "Gesamt", "Betrag", "G-Preis", "Summe", "Netto"),
    "subtotal": ("Zwischensumme", "Nettobetrag", "Summe netto", "Gesamt netto", "Nettosumme", "Warenwert"),
    "discount": ("Rabatt", "abzgl. Rabatt", "Rabatt {rate}%", "Nachlass"),
    "shipping": ("Versandkosten", "Fracht", "Versand", "Porto und Verpackung"),
    "tax": ("MwSt. {rate}%", "USt. {rate} %", "zzgl. {rate}% MwSt.", "Umsatzsteuer {rate}%", "{rate}% USt."),
    "tax_total": ("Summe MwSt.", "Umsatzsteuer gesamt", "MwSt. gesamt"),
    "total": ("Gesamtbetrag", "Rechnungsbetrag", "Gesamtsumme", "Endbetrag", "Summe brutto", "Gesamt brutto"),
    "amount_paid": ("Anzahlung", "abzgl. Anzahlung", "Bereits bezahlt", "Geleistete Anzahlung"),
    "amount_due": ("Zu zahlender Betrag", "Zahlbetrag", "Offener Betrag", "Noch zu zahlen", "Restbetrag"),
    "previous_balance": ("Offener Saldo Vorrechnung", "Saldovortrag", "Vortrag aus Vorrechnungen"),
    "carried_forward": ("Übertrag", "Zwischensumme Übertrag", "Übertrag auf Seite {next}"),
    "brought_forward": ("Übertrag", "Übertrag von Seite {prev}", "Vortrag"),
    "page": ("Seite {n} von {total}", "Seite {n}/{total}", "Blatt {n}", "Seite {n}"),
    "phone": ("Tel.", "Telefon", "Fon", "T"),
    "fax": ("Fax", "Telefax", "F"),
    "email": ("E-Mail", "Mail", "E"),
    "web": ("Web", "Internet", "www"),
    "bank": ("Bank", "Bankverbindung", "Kreditinstitut", "Bank"),
    "iban": ("IBAN", "IBAN:"),
    "bic": ("BIC", "SWIFT-BIC", "BIC:"),
    "account_no": ("Konto-Nr.", "Kontonummer", "Kto."),
    "bank_code": ("BLZ", "Bankleitzahl"),
    "currency": ("Währung", "Währung:"),
    "contact": ("Ansprechpartner", "Ihr Ansprechpartner", "Bearbeiter", "Sachbearbeiter"),
    "reference": ("Ihr Zeichen", "Projekt", "Referenz", "Unser Zeichen"),
    "company_reg": ("Amtsgericht", "Handelsregister", "Registergericht"),
    "managing_director": ("Geschäftsführer", "Geschäftsführung", "GF"),
    "tax_number": ("Steuernummer", "St.-Nr.", "Steuer-Nr."),
    "thanks": (
        "Vielen Dank für Ihren Auftrag!",
        "Wir danken für Ihren Auftrag.",
        "Vielen Dank für Ihr Vertrauen.",
        "Wir bedanken uns für die gute Zusammenarbeit.",
    ),
    "reverse_charge": (
        "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",
        "Innergemeinschaftliche Lieferung – steuerfrei gemäß § 4 Nr. 1b UStG.",
    ),
    "exempt": ("Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.", "Steuerfreie Leistung gemäß § 4 UStG."),
    "net": ("Netto", "Nettobetrag"),
    "gross": ("Brutto", "Bruttobetrag"),
    "vat_rate_label": ("USt-Satz", "MwSt-Satz", "Steuersatz"),
    "pay_by_transfer": (
        "Bitte überweisen Sie den Betrag unter Angabe der Rechnungsnummer auf folgendes Konto:",
        "Bitte überweisen Sie den Rechnungsbetrag auf unser Konto.",
        "Zahlbar per Überweisung an:",
    ),
    "summary_hdr": ("Zusammenfassung", "Summen"),
    "greeting": ("Sehr geehrte Damen und Herren,", "Sehr geehrte Kundin, sehr geehrter Kunde,"),
    "intro": (
        "wir erlauben uns, Ihnen folgende Leistungen in Rechnung zu stellen:",
        "vielen Dank für Ihren Auftrag. Wir berechnen Ihnen wie folgt:",
        "für unsere Lieferungen und Leistungen berechnen wir Ihnen:",
    ),
}
DE_CH: L = {
    **DE,
    "vat_id": ("MWST-Nr.", "UID", "MWST", "UID-Nr."),
    "tax": ("MWST {rate}%", "MwSt. {rate} %", "zzgl. MWST {rate}%"),
    "tax_total": ("Total MWST", "MWST gesamt"),
    "total": ("Total", "Rechnungsbetrag", "Total inkl. MWST", "Gesamttotal", "Endbetrag"),
    "subtotal": ("Zwischentotal", "Total netto", "Nettobetrag", "Subtotal"),
    "exempt": ("Von der MWST befreit.", "Nicht mehrwertsteuerpflichtig."),
    "thanks": ("Besten Dank für Ihren Auftrag.", "Herzlichen Dank für Ihr Vertrauen."),
}

FR_L: L = {
    "title": ("FACTURE", "Facture", "Facture", "FACTURE"),
    "invoice_number": ("N° de facture", "Facture n°", "Numéro de facture", "Facture N°", "N° facture", "Réf. facture"),
    "invoice_date": ("Date de facture", "Date", "Date d'émission", "Date de facturation", "Émise le"),
    "due_date": ("Date d'échéance", "Échéance", "À payer avant le", "Date limite de paiement", "Échéance le"),
    "po_number": ("N° de commande", "Bon de commande", "Réf. commande", "Votre commande n°", "BC n°"),
    "customer_number": ("N° client", "Code client", "Réf. client", "Compte client"),
    "order_date": ("Date de commande", "Commande du"),
    "delivery_date": ("Date de livraison", "Livré le", "Date d'exécution", "Date de prestation"),
    "service_period": ("Période", "Période de prestation", "Période facturée"),
    "delivery_note": ("Bon de livraison", "BL n°"),
    "payment_terms": ("Conditions de paiement", "Conditions de règlement", "Règlement", "Mode de paiement"),
    "bill_to": ("Facturer à", "Client", "Adresse de facturation", "Destinataire", "Facturé à"),
    "ship_to": ("Livrer à", "Adresse de livraison", "Livraison"),
    "from": ("Émetteur", "Fournisseur", "Vendeur"),
    "vat_id": ("N° TVA intracom.", "TVA intracommunautaire", "N° de TVA", "N° TVA", "TVA Intra."),
    "customer_vat_id": ("N° TVA client", "Votre n° TVA"),
    "pos": ("N°", "Réf.", "#"),
    "sku": ("Réf.", "Référence", "Code article"),
    "description": ("Désignation", "Description", "Libellé", "Désignation / Prestation", "DÉSIGNATION"),
    "quantity": ("Qté", "Quantité", "QTÉ", "Qté."),
    "unit": ("Unité", "U.", "Un."),
    "unit_price": ("Prix unitaire HT", "P.U. HT", "Prix unit.", "PU HT", "Prix unitaire"),
    "discount_col": ("Remise", "Rem. %", "Remise %"),
    "vat_col": ("TVA", "TVA %", "Taux TVA"),
    "amount": ("Montant HT", "Total HT", "Montant", "MONTANT HT", "Prix total HT"),
    "subtotal": ("Total HT", "Montant HT", "Sous-total HT", "TOTAL HT", "Base HT", "Sous-total"),
    "discount": ("Remise", "Remise {rate}%", "Escompte"),
    "shipping": ("Frais de port", "Frais de livraison", "Port et emballage"),
    "tax": ("TVA {rate}%", "TVA {rate} %", "TVA ({rate}%)", "Montant TVA {rate}%"),
    "tax_total": ("Total TVA", "Montant TVA", "TOTAL TVA"),
    "total": ("Total TTC", "Montant TTC", "TOTAL TTC", "Montant total TTC", "Total facture TTC"),
    "amount_paid": ("Acompte versé", "Déjà réglé", "Acompte reçu", "Montant réglé"),
    "amount_due": ("Net à payer", "Reste à payer", "Solde dû", "Montant dû", "À payer"),
    "previous_balance": ("Solde antérieur", "Report solde précédent", "Solde précédent"),
    "carried_forward": ("À reporter", "Report", "Total à reporter"),
    "brought_forward": ("Report", "Reporté", "Report de la page {prev}"),
    "page": ("Page {n} / {total}", "Page {n} sur {total}", "{n}/{total}", "Page {n}"),
    "phone": ("Tél.", "Tél", "Téléphone", "T"),
    "fax": ("Fax", "Télécopie"),
    "email": ("E-mail", "Email", "Courriel", "Mél."),
    "web": ("Site", "Web", "www"),
    "bank": ("Banque", "Domiciliation", "Coordonnées bancaires", "Établissement"),
    "iban": ("IBAN", "IBAN :"),
    "bic": ("BIC", "BIC / SWIFT", "Code BIC"),
    "account_no": ("N° de compte", "Compte"),
    "bank_code": ("Code banque", "Code guichet", "Clé RIB"),
    "currency": ("Devise", "Devise :", "Monnaie"),
    "contact": ("Contact", "Votre interlocuteur", "Suivi par", "Interlocuteur"),
    "reference": ("Votre référence", "Projet", "Objet", "Affaire"),
    "company_reg": ("RCS", "SIRET", "SIREN"),
    "capital": ("SARL au capital de", "SAS au capital de", "Capital social"),
    "thanks": ("Merci de votre confiance.", "Nous vous remercions de votre confiance.", "Merci pour votre commande."),
    "reverse_charge": (
        "Autoliquidation – TVA due par le preneur (art. 283-2 du CGI).",
        "Exonération de TVA, article 262 ter I du CGI.",
    ),
    "exempt": ("TVA non applicable, art. 293 B du CGI.", "Exonéré de TVA."),
    "late_fee": (
        "En cas de retard de paiement, une pénalité de 3 fois le taux d'intérêt légal sera exigible, "
        "ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 €.",
        "Pas d'escompte pour paiement anticipé. Indemnité forfaitaire pour frais de recouvrement : 40 €.",
    ),
    "net": ("HT", "Base HT", "Montant HT"),
    "gross": ("TTC", "Montant TTC"),
    "vat_rate_label": ("Taux", "Taux TVA"),
    "pay_by_transfer": (
        "Règlement par virement bancaire sur le compte suivant :",
        "Merci d'effectuer votre virement en indiquant le numéro de facture.",
        "Paiement par virement :",
    ),
    "summary_hdr": ("Récapitulatif", "Totaux"),
}

ES: L = {
    "title": ("FACTURA", "Factura", "Factura", "FACTURA"),
    "invoice_number": (
        "Número de factura",
        "Nº de factura",
        "Factura nº",
        "Nº Factura",
        "Factura número",
        "Núm. factura",
    ),
    "invoice_date": ("Fecha de factura", "Fecha", "Fecha de emisión", "Fecha factura", "Fecha de expedición"),
    "due_date": ("Fecha de vencimiento", "Vencimiento", "Vence", "Fecha vencimiento", "Fecha de pago"),
    "po_number": ("Nº de pedido", "Pedido", "Su pedido", "Ref. pedido", "Orden de compra"),
    "customer_number": ("Nº cliente", "Código cliente", "Cliente nº", "Cód. cliente"),
    "order_date": ("Fecha de pedido", "Fecha pedido"),
    "delivery_date": ("Fecha de entrega", "Fecha de operación", "Fecha de servicio", "Entregado"),
    "service_period": ("Periodo", "Periodo de facturación", "Periodo de servicio"),
    "delivery_note": ("Albarán", "Nº albarán", "Albarán nº"),
    "payment_terms": ("Forma de pago", "Condiciones de pago", "Modo de pago", "Pago"),
    "bill_to": ("Facturar a", "Cliente", "Datos del cliente", "Destinatario"),
    "ship_to": ("Enviar a", "Dirección de entrega", "Entregar en"),
    "from": ("Emisor", "Proveedor", "Vendedor"),
    "vat_id": ("NIF", "CIF", "NIF/CIF", "N.I.F.", "C.I.F.", "NIF-IVA"),
    "customer_vat_id": ("NIF cliente", "CIF cliente", "NIF"),
    "pos": ("Nº", "Línea", "#"),
    "sku": ("Código", "Ref.", "Referencia", "Artículo"),
    "description": ("Descripción", "Concepto", "Artículo", "DESCRIPCIÓN", "Detalle"),
    "quantity": ("Cantidad", "Cant.", "Uds.", "Unidades", "CANT."),
    "unit": ("Unidad", "Ud.", "U.M."),
    "unit_price": ("Precio unitario", "Precio", "P. unitario", "Precio/ud.", "PRECIO"),
    "discount_col": ("Dto.", "Dto. %", "Descuento"),
    "vat_col": ("IVA", "% IVA", "IVA %"),
    "amount": ("Importe", "Total", "IMPORTE", "Subtotal", "Importe neto"),
    "subtotal": ("Base imponible", "Subtotal", "Base Imponible", "Total neto", "BASE IMPONIBLE", "Suma"),
    "discount": ("Descuento", "Dto. {rate}%", "Descuento pronto pago"),
    "shipping": ("Portes", "Gastos de envío", "Transporte"),
    "tax": ("IVA {rate}%", "IVA ({rate}%)", "Cuota IVA {rate}%", "I.V.A. {rate}%"),
    "tax_total": ("Total IVA", "Cuota IVA", "Total cuota"),
    "total": ("Total", "TOTAL", "Total factura", "TOTAL FACTURA", "Importe total", "Total (IVA incluido)"),
    "amount_paid": ("Anticipo", "Pagado a cuenta", "Entrega a cuenta", "Importe abonado"),
    "amount_due": ("Total a pagar", "Importe pendiente", "Pendiente de pago", "A pagar", "Saldo pendiente"),
    "previous_balance": ("Saldo anterior", "Saldo pendiente anterior"),
    "carried_forward": ("Suma y sigue", "A la vuelta", "Suma parcial"),
    "brought_forward": ("Suma anterior", "Viene de la página {prev}", "Saldo anterior página"),
    "page": ("Página {n} de {total}", "Pág. {n}/{total}", "Hoja {n} de {total}", "Página {n}"),
    "phone": ("Tel.", "Teléfono", "Tfno.", "T"),
    "fax": ("Fax",),
    "email": ("Email", "E-mail", "Correo"),
    "web": ("Web", "www"),
    "bank": ("Banco", "Entidad", "Datos bancarios"),
    "iban": ("IBAN", "IBAN:", "Cuenta IBAN"),
    "bic": ("BIC", "SWIFT", "BIC/SWIFT"),
    "account_no": ("Nº de cuenta", "Cuenta"),
    "currency": ("Moneda", "Divisa"),
    "contact": ("Contacto", "Atendido por", "Comercial"),
    "reference": ("Su referencia", "Proyecto", "Obra", "Referencia"),
    "company_reg": ("Inscrita en el Registro Mercantil de", "Reg. Merc."),
    "thanks": ("Gracias por su confianza.", "Gracias por su compra.", "Agradecemos su confianza."),
    "reverse_charge": (
        "Operación con inversión del sujeto pasivo (art. 84 LIVA).",
        "Entrega intracomunitaria exenta de IVA (art. 25 LIVA).",
    ),
    "exempt": ("Operación exenta de IVA (art. 20 LIVA).", "Exento de IVA."),
    "net": ("Base", "Base imponible"),
    "gross": ("Total", "Importe total"),
    "vat_rate_label": ("% IVA", "Tipo"),
    "pay_by_transfer": (
        "Forma de pago: transferencia bancaria a la cuenta:",
        "Transferencia a:",
        "Rogamos realicen el pago mediante transferencia a la siguiente cuenta:",
    ),
    "summary_hdr": ("Resumen", "Totales"),
}

NL: L = {
    "title": ("FACTUUR", "Factuur", "Factuur", "FACTUUR"),
    "invoice_number": ("Factuurnummer", "Factuurnr.", "Factuur nr.", "Factuur nummer", "Nummer"),
    "invoice_date": ("Factuurdatum", "Datum", "Factuur datum", "Datum factuur"),
    "due_date": ("Vervaldatum", "Uiterste betaaldatum", "Betalen vóór", "Vervaldag", "Te betalen voor"),
    "po_number": ("Ordernummer", "Inkoopordernummer", "Uw ordernummer", "PO-nummer", "Uw bestelling"),
    "customer_number": ("Klantnummer", "Debiteurnummer", "Klantnr.", "Relatienummer"),
    "order_date": ("Orderdatum", "Besteldatum"),
    "delivery_date": ("Leverdatum", "Afleverdatum", "Leveringsdatum"),
    "service_period": ("Periode", "Factuurperiode", "Leveringsperiode"),
    "delivery_note": ("Pakbon", "Pakbonnummer", "Afleverbon"),
    "payment_terms": ("Betalingstermijn", "Betalingsvoorwaarden", "Betaalconditie", "Betaling"),
    "bill_to": ("Factuuradres", "Klant", "Aan", "Gefactureerd aan"),
    "ship_to": ("Afleveradres", "Leveradres", "Bezorgadres"),
    "from": ("Van", "Leverancier", "Afzender"),
    "vat_id": ("BTW-nummer", "Btw-nr.", "BTW nr.", "Btw-id", "BTW-id"),
    "customer_vat_id": ("Uw BTW-nummer", "BTW-nr. klant"),
    "pos": ("Nr.", "#", "Regel"),
    "sku": ("Artikelnr.", "Art.nr.", "Code"),
    "description": ("Omschrijving", "Beschrijving", "Artikel", "OMSCHRIJVING", "Product/dienst"),
    "quantity": ("Aantal", "Aant.", "AANTAL", "Hoeveelheid"),
    "unit": ("Eenheid", "Eenh."),
    "unit_price": ("Prijs", "Stukprijs", "Prijs per eenheid", "Eenheidsprijs", "Tarief"),
    "discount_col": ("Korting", "Korting %"),
    "vat_col": ("BTW", "Btw %", "BTW-tarief"),
    "amount": ("Bedrag", "Totaal", "BEDRAG", "Bedrag excl. btw", "Regeltotaal"),
    "subtotal": ("Subtotaal", "Totaal excl. btw", "Subtotaal excl. BTW", "Netto bedrag", "Totaal exclusief BTW"),
    "discount": ("Korting", "Korting {rate}%"),
    "shipping": ("Verzendkosten", "Vracht", "Bezorgkosten"),
    "tax": ("BTW {rate}%", "Btw {rate}%", "BTW ({rate}%)", "{rate}% btw"),
    "tax_total": ("Totaal BTW", "BTW totaal", "Btw-bedrag"),
    "total": ("Totaal", "Totaal incl. btw", "TOTAAL", "Totaalbedrag", "Totaal inclusief BTW", "Factuurbedrag"),
    "amount_paid": ("Aanbetaling", "Reeds betaald", "Voldaan", "Ontvangen aanbetaling"),
    "amount_due": ("Te betalen", "Openstaand bedrag", "Nog te betalen", "Totaal te voldoen"),
    "previous_balance": ("Vorig saldo", "Openstaand saldo vorige factuur"),
    "carried_forward": ("Transport", "Over te brengen", "Subtotaal transport"),
    "brought_forward": ("Transport", "Van vorige pagina", "Overgebracht"),
    "page": ("Pagina {n} van {total}", "Pagina {n}/{total}", "Blad {n} van {total}", "Pagina {n}"),
    "phone": ("Tel.", "Telefoon", "T"),
    "fax": ("Fax",),
    "email": ("E-mail", "Email", "E"),
    "web": ("Web", "Website", "www"),
    "bank": ("Bank", "Bankgegevens", "Rekening"),
    "iban": ("IBAN", "IBAN:", "Rekeningnummer (IBAN)"),
    "bic": ("BIC", "BIC:"),
    "account_no": ("Rekeningnr.", "Rekeningnummer"),
    "currency": ("Valuta", "Munteenheid"),
    "contact": ("Contactpersoon", "Uw contactpersoon", "Behandeld door"),
    "reference": ("Uw referentie", "Project", "Onze referentie", "Kenmerk"),
    "company_reg": ("KvK", "KvK-nummer", "Kamer van Koophandel"),
    "thanks": ("Bedankt voor uw bestelling!", "Hartelijk dank voor uw opdracht.", "Dank voor het vertrouwen."),
    "reverse_charge": (
        "BTW verlegd.",
        "Btw verlegd naar afnemer (art. 12 Wet OB).",
        "Intracommunautaire levering, 0% BTW.",
    ),
    "exempt": ("Vrijgesteld van btw.", "Geen btw: vrijgesteld op grond van art. 11 Wet OB."),
    "net": ("Grondslag", "Bedrag excl."),
    "gross": ("Totaal", "Incl. btw"),
    "vat_rate_label": ("Tarief", "BTW-tarief"),
    "pay_by_transfer": (
        "Gelieve het bedrag onder vermelding van het factuurnummer over te maken op:",
        "Wij verzoeken u vriendelijk het totaalbedrag binnen de termijn over te maken naar:",
        "Betaling per bank naar:",
    ),
    "summary_hdr": ("Overzicht", "Totalen"),
}

IT: L = {
    "title": ("FATTURA", "Fattura", "Fattura", "FATTURA"),
    "invoice_number": ("Numero fattura", "Fattura n.", "N. fattura", "Fattura N°", "Num. documento", "Numero"),
    "invoice_date": ("Data fattura", "Data", "Data documento", "Data emissione", "del"),
    "due_date": ("Scadenza", "Data scadenza", "Scadenza pagamento", "Da pagare entro"),
    "po_number": ("Ordine n.", "Rif. ordine", "Vs. ordine", "N. ordine", "Ordine cliente"),
    "customer_number": ("Codice cliente", "Cod. cliente", "Cliente n.", "Cod. cli."),
    "order_date": ("Data ordine", "Ordine del"),
    "delivery_date": ("Data consegna", "Data DDT", "Consegnato il", "Data spedizione"),
    "service_period": ("Periodo", "Periodo di riferimento", "Competenza"),
    "delivery_note": ("DDT n.", "Documento di trasporto", "Bolla n."),
    "payment_terms": ("Condizioni di pagamento", "Pagamento", "Modalità di pagamento", "Termini di pagamento"),
    "bill_to": ("Spett.le", "Cliente", "Intestatario", "Destinatario fattura", "Fatturare a"),
    "ship_to": ("Destinazione merce", "Luogo di consegna", "Consegna a", "Destinazione"),
    "from": ("Cedente", "Fornitore", "Mittente"),
    "vat_id": ("P.IVA", "Partita IVA", "P. IVA", "Part. IVA", "C.F./P.IVA"),
    "customer_vat_id": ("P.IVA cliente", "Vs. P.IVA", "P.IVA"),
    "pos": ("N.", "Riga", "#"),
    "sku": ("Codice", "Cod. art.", "Articolo"),
    "description": ("Descrizione", "Descrizione articolo", "DESCRIZIONE", "Articolo / Servizio"),
    "quantity": ("Quantità", "Q.tà", "Qtà", "QTA"),
    "unit": ("U.M.", "UM", "Unità"),
    "unit_price": ("Prezzo unitario", "Prezzo", "Prezzo unit.", "P.U.", "PREZZO"),
    "discount_col": ("Sconto", "Sc. %", "Sconto %"),
    "vat_col": ("IVA", "Aliq. IVA", "% IVA", "Cod. IVA"),
    "amount": ("Importo", "Totale", "IMPORTO", "Importo netto"),
    "subtotal": ("Imponibile", "Totale imponibile", "Totale merce", "Subtotale", "IMPONIBILE"),
    "discount": ("Sconto", "Sconto {rate}%", "Abbuono"),
    "shipping": ("Spese di trasporto", "Spese di spedizione", "Trasporto"),
    "tax": ("IVA {rate}%", "IVA {rate} %", "Imposta {rate}%", "IVA al {rate}%"),
    "tax_total": ("Totale IVA", "Imposta", "Totale imposta"),
    "total": ("Totale fattura", "Totale documento", "TOTALE", "Totale", "Totale IVA inclusa"),
    "amount_paid": ("Acconto", "Acconto ricevuto", "Già pagato", "Anticipo"),
    "amount_due": ("Netto a pagare", "Totale da pagare", "Residuo da pagare", "Saldo"),
    "previous_balance": ("Saldo precedente", "Residuo precedente"),
    "carried_forward": ("A riportare", "Segue", "Totale a riportare"),
    "brought_forward": ("Riporto", "Da riporto", "Riporto pag. {prev}"),
    "page": ("Pagina {n} di {total}", "Pag. {n}/{total}", "Pag. {n} di {total}", "Pagina {n}"),
    "phone": ("Tel.", "Telefono", "T."),
    "fax": ("Fax",),
    "email": ("E-mail", "Email", "PEC"),
    "web": ("Web", "Sito", "www"),
    "bank": ("Banca", "Banca d'appoggio", "Coordinate bancarie", "Istituto"),
    "iban": ("IBAN", "IBAN:", "Cod. IBAN"),
    "bic": ("BIC", "SWIFT", "BIC/SWIFT"),
    "account_no": ("C/C", "Conto n."),
    "currency": ("Valuta", "Divisa"),
    "contact": ("Referente", "Agente", "Vs. referente"),
    "reference": ("Vs. riferimento", "Rif.", "Commessa", "Progetto"),
    "company_reg": ("REA", "Reg. Imprese", "Cap. Soc."),
    "thanks": ("Grazie per la fiducia.", "Grazie per aver scelto i nostri servizi.", "Cordiali saluti."),
    "reverse_charge": (
        "Operazione non imponibile art. 41 D.L. 331/93.",
        "Inversione contabile – art. 17 c.6 DPR 633/72.",
    ),
    "exempt": ("Operazione esente art. 10 DPR 633/72.", "Operazione senza applicazione dell'IVA."),
    "net": ("Imponibile",),
    "gross": ("Totale",),
    "vat_rate_label": ("Aliquota", "Aliq."),
    "pay_by_transfer": (
        "Pagamento tramite bonifico bancario sul seguente conto:",
        "Coordinate per il bonifico:",
        "Si prega di effettuare il bonifico indicando il numero di fattura.",
    ),
    "summary_hdr": ("Riepilogo", "Riepilogo IVA"),
}


UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    # unit kind -> language -> printable synonyms
    "pc": {
        "en": ("pcs", "ea", "pc", "each", "units"),
        "de": ("Stk.", "Stück", "St."),
        "fr": ("pce", "u.", "pièce", "unité"),
        "es": ("ud.", "uds.", "unid."),
        "nl": ("st.", "stuks", "stk"),
        "it": ("pz.", "n.", "pezzi", "nr"),
    },
    "h": {
        "en": ("h", "hrs", "hours", "hr"),
        "de": ("Std.", "h", "Stunden"),
        "fr": ("h", "heures", "heure"),
        "es": ("h", "horas"),
        "nl": ("uur", "u"),
        "it": ("ore", "h"),
    },
    "kg": {"en": ("kg",), "de": ("kg",), "fr": ("kg",), "es": ("kg",), "nl": ("kg",), "it": ("kg",)},
    "m": {
        "en": ("m", "lm"),
        "de": ("m", "lfm"),
        "fr": ("m", "ml"),
        "es": ("m", "ml"),
        "nl": ("m", "str. m"),
        "it": ("m", "ml"),
    },
    "m2": {
        "en": ("m²", "sq m"),
        "de": ("m²", "qm"),
        "fr": ("m²",),
        "es": ("m²",),
        "nl": ("m²", "m2"),
        "it": ("m²", "mq"),
    },
    "l": {
        "en": ("l", "L", "litre"),
        "de": ("l", "Ltr."),
        "fr": ("l", "L"),
        "es": ("l", "L"),
        "nl": ("l", "liter"),
        "it": ("l", "lt"),
    },
    "month": {
        "en": ("month", "mo", "mth"),
        "de": ("Monat", "Mon."),
        "fr": ("mois",),
        "es": ("mes", "meses"),
        "nl": ("mnd", "maand"),
        "it": ("mese", "mesi"),
    },
    "day": {
        "en": ("day", "days"),
        "de": ("Tag", "PT", "Tage"),
        "fr": ("jour", "j"),
        "es": ("día", "días"),
        "nl": ("dag", "dagen"),
        "it": ("gg", "giorni"),
    },
    "lump": {
        "en": ("lot", "flat", "job"),
        "de": ("pausch.", "Psch.", "pauschal"),
        "fr": ("forfait", "fft", "ens."),
        "es": ("global", "tanto alzado"),
        "nl": ("post", "vast"),
        "it": ("a corpo", "forfait"),
    },
    "box": {
        "en": ("box", "pack", "ctn"),
        "de": ("Pkg.", "Karton", "VE"),
        "fr": ("carton", "boîte", "lot"),
        "es": ("caja", "paq."),
        "nl": ("doos", "pak"),
        "it": ("conf.", "scatola", "cf"),
    },
}


@dataclass(frozen=True, slots=True)
class LocaleInfo:
    tag: str
    lang: str
    babel: str
    labels: L
    date_formats: tuple[str, ...]  # keys of DATE_FORMATS; first ones more likely
    number_formats: tuple[NumberFormat, ...]
    title_case_months: bool = False


LOCALES: dict[str, LocaleInfo] = {
    li.tag: li
    for li in (
        LocaleInfo(
            "en-US",
            "en",
            "en_US",
            EN_US,
            ("mdy_slash", "month_d_y", "mon_d_y", "mdy_slash_nopad", "iso", "mdy_dash"),
            (US,),
        ),
        LocaleInfo(
            "en-GB",
            "en",
            "en_GB",
            EN,
            ("dmy_slash", "d_mon_y", "d_month_y", "dmy_dash", "iso", "dmy_dot", "dth_month_y"),
            (US,),
        ),
        LocaleInfo(
            "de-DE", "de", "de_DE", DE, ("dmy_dot", "d_dot_month_y", "dmy_dot_short", "iso"), (EU, EU, EU, PLAIN_COMMA)
        ),
        LocaleInfo("de-CH", "de", "de_CH", DE_CH, ("dmy_dot", "d_dot_month_y"), (CH,)),
        LocaleInfo(
            "fr-FR",
            "fr",
            "fr_FR",
            FR_L,
            ("dmy_slash", "d_month_y", "dmy_dash", "dmy_dot"),
            (FR, FR_NBSP, FR, PLAIN_COMMA, EU),
        ),
        LocaleInfo(
            "es-ES",
            "es",
            "es_ES",
            ES,
            ("dmy_slash", "d_de_month_de_y", "dmy_dash", "dmy_slash_short"),
            (EU, EU, PLAIN_COMMA),
        ),
        LocaleInfo("nl-NL", "nl", "nl_NL", NL, ("dmy_dash", "d_month_y", "dmy_slash", "dmy_dot"), (EU,)),
        LocaleInfo(
            "it-IT", "it", "it_IT", IT, ("dmy_slash", "d_month_y", "dmy_dot", "dmy_dash"), (EU, EU, PLAIN_COMMA)
        ),
    )
}

DATE_FORMATS = (
    "dmy_dot",
    "dmy_dot_short",
    "dmy_slash",
    "dmy_slash_short",
    "mdy_slash",
    "mdy_slash_nopad",
    "mdy_dash",
    "dmy_dash",
    "iso",
    "ymd_slash",
    "d_mon_y",
    "d_month_y",
    "month_d_y",
    "mon_d_y",
    "d_dot_month_y",
    "d_de_month_de_y",
    "dth_month_y",
)


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }".replace(" ", "")


def format_date(d: dt.date, key: str, locale: str) -> str:
    """Print a date the way the locale's documents do."""
    info = LOCALES[locale]
    wide = get_month_names("wide", locale=info.babel)[d.month]
    abbr = get_month_names("abbreviated", locale=info.babel)[d.month].rstrip(".")
    if info.lang == "en":
        abbr = abbr[:3]
    if key == "dmy_dot":
        return f"{d:%d.%m.%Y}"
    if key == "dmy_dot_short":
        return f"{d:%d.%m.%y}"
    if key == "dmy_slash":
        return f"{d:%d/%m/%Y}"
    if key == "dmy_slash_short":
        return f"{d:%d/%m/%y}"
    if key == "mdy_slash":
        return f"{d:%m/%d/%Y}"
    if key == "mdy_slash_nopad":
        return f"{d.month}/{d.day}/{d.year}"
    if key == "mdy_dash":
        return f"{d:%m-%d-%Y}"
    if key == "dmy_dash":
        return f"{d:%d-%m-%Y}"
    if key == "iso":
        return d.isoformat()
    if key == "ymd_slash":
        return f"{d:%Y/%m/%d}"
    if key == "d_mon_y":
        return f"{d.day} {abbr.capitalize() if info.lang == 'en' else abbr} {d.year}"
    if key == "d_month_y":
        return f"{d.day} {wide} {d.year}"
    if key == "month_d_y":
        return f"{wide} {d.day}, {d.year}"
    if key == "mon_d_y":
        return f"{abbr} {d.day}, {d.year}"
    if key == "d_dot_month_y":
        return f"{d.day}. {wide} {d.year}"
    if key == "d_de_month_de_y":
        return f"{d.day} de {wide} de {d.year}"
    if key == "dth_month_y":
        return f"{_ordinal(d.day)} {wide} {d.year}"
    raise ValueError(f"unknown date format {key!r}")


# Payment terms: (net days, printed phrases) per language. {days} is filled in; {pct} a cash-discount percent.
TERMS: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {
    "en": (
        (0, ("Due on receipt", "Payable on receipt", "Due upon receipt")),
        (14, ("Net 14", "14 days net", "Payment within 14 days", "Net 14 days")),
        (30, ("Net 30", "30 days net", "Payment due within 30 days of invoice date", "Net 30 days", "2% 10, Net 30")),
        (45, ("Net 45", "45 days net")),
        (60, ("Net 60", "60 days from invoice date")),
        (7, ("Net 7", "7 days", "Payment within 7 days")),
    ),
    "de": (
        (0, ("Zahlbar sofort ohne Abzug", "Sofort fällig")),
        (14, ("14 Tage netto", "Zahlbar innerhalb von 14 Tagen ohne Abzug", "Zahlbar innerhalb 14 Tagen netto")),
        (
            30,
            (
                "30 Tage netto",
                "Zahlbar innerhalb von 30 Tagen ohne Abzug",
                "14 Tage 2% Skonto, 30 Tage netto",
                "Zahlungsziel 30 Tage",
            ),
        ),
        (10, ("10 Tage netto", "Zahlbar innerhalb von 10 Tagen")),
        (60, ("60 Tage netto",)),
    ),
    "fr": (
        (0, ("Paiement à réception", "À réception de facture", "Comptant")),
        (30, ("30 jours net", "Paiement à 30 jours", "Virement à 30 jours date de facture")),
        (45, ("45 jours fin de mois", "45 jours net")),
        (60, ("60 jours net", "Paiement à 60 jours")),
        (15, ("15 jours net", "Paiement à 15 jours")),
    ),
    "es": (
        (0, ("Contado", "Pago al contado", "Transferencia a la vista")),
        (30, ("Transferencia bancaria a 30 días", "30 días fecha factura", "Pago a 30 días")),
        (60, ("Transferencia a 60 días", "60 días fecha factura")),
        (15, ("Pago a 15 días",)),
    ),
    "nl": (
        (14, ("14 dagen", "Betaling binnen 14 dagen", "Binnen 14 dagen na factuurdatum")),
        (30, ("30 dagen", "Betaling binnen 30 dagen", "Netto 30 dagen")),
        (8, ("8 dagen", "Betaling binnen 8 dagen")),
        (0, ("Direct", "Per omgaande")),
    ),
    "it": (
        (0, ("Rimessa diretta", "Pagamento immediato", "Bonifico vista fattura")),
        (30, ("Bonifico bancario 30 gg d.f.", "30 gg data fattura", "Bonifico a 30 giorni")),
        (60, ("Bonifico 60 gg d.f.f.m.", "60 gg data fattura", "Ri.Ba. 60 gg")),
        (90, ("Bonifico 90 gg d.f.", "Ri.Ba. 90 gg")),
    ),
}
