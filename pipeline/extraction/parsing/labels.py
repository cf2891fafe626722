"""The words invoices use to label their fields, in English, German, French, Spanish, Dutch and Italian.

Each label kind is either one of our fields or a *distractor* (order date, customer number, amount paid…) that
is recognised so that it is not mistaken for a field. Patterns are written against folded text (lower case,
no accents: see :func:`..text.fold`). All patterns go into one alternation ordered from the most to the least
specific, so at any position "invoice date" wins over "invoice" and "total excl. VAT" over "total".

:func:`find_labels` returns every label occurrence in a piece of text with its kind and the language it
belongs to (None when shared by several).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LabelMatch", "LABEL_KINDS", "find_labels", "label_at_start"]

# Small connective bits.
_NO = r"(?:n(?:o|r|um|umber|umero|ummer)?\s*\.?\s*[°º]?|n[°º]|#|nbr|no\.|nr\.|num\.?|numero|number|nummer|id)"
_SEP = r"[\s.\-/]*"
_DOT = r"\.?"

# (kind, language or None, pattern). Distractor kinds start with "x_".
_RAW: list[tuple] = [  # (kind, language, pattern[, weight])
    # ---------------------------------------------------------------- invoice number
    ("invoice_number", "en", r"invoice\s*(?:number|no\b\.?|nr\b\.?|num\b\.?|#|id\b|ref(?:erence)?\b\.?)"),
    ("invoice_number", "en", r"inv\.?\s*(?:no|nr|#)\.?"),
    ("invoice_number", "en", r"(?:tax\s+)?invoice\s*:?", 0.8),
    ("invoice_number", "en", r"bill\s*(?:number|no\.?|#)"),
    ("invoice_number", "en", r"document\s*(?:number|no\.?|#)"),
    ("invoice_number", "en", r"receipt\s*(?:number|no\.?|#)"),
    ("invoice_number", None, r"numero|number|nummer|num\.|nr\.|no\.", 0.6),
    ("invoice_number", "de", r"rechnungs?\s*-?\s*(?:nummer|nr\.?|no\.?|#)"),
    ("invoice_number", "de", r"re\s*-?\s*nr\.?"),
    ("invoice_number", "de", r"rechnung\s*:?", 0.8),
    ("invoice_number", "de", r"beleg\s*-?\s*(?:nummer|nr\.?)"),
    ("invoice_number", "fr", r"ref(?:erence)?\.?\s+(?:de\s+(?:la\s+)?)?facture|(?:n[°º]|no\.?|num(?:ero)?\.?)\s*(?:de\s+)?(?:la\s+)?facture"),
    ("invoice_number", "fr", r"facture\s*(?:n[°º]|no\.?|numero|num\.?|#)"),
    ("invoice_number", "fr", r"facture\s*:?", 0.8),
    ("invoice_number", "es", r"(?:n\.?\s*[°º]|no\.?|num\.?|numero)\s*(?:de\s+)?factura"),
    ("invoice_number", "es", r"factura\s*(?:n\.?\s*[°º]|no\.?|numero|num\.?|#|nr\.?)"),
    ("invoice_number", "es", r"factura\s*:?", 0.8),
    ("invoice_number", "nl", r"factuur\s*-?\s*(?:nummer|nr\.?|no\.?|#)"),
    ("invoice_number", "nl", r"factuur\s*:?", 0.8),
    ("invoice_number", "it", r"(?:n\.?|num\.?|numero|nr\.?)\s*(?:della\s+)?fattura"),
    ("invoice_number", "it", r"fattura\s*(?:n\.?\s*[°º]?|nr\.?|numero|num\.?|#)"),
    ("invoice_number", "it", r"fattura\s*:?", 0.8),
    # ---------------------------------------------------------------- invoice date
    ("invoice_date", "en", r"invoice\s*date|date\s+of\s+invoice|inv\.?\s*date"),
    ("invoice_date", "en", r"(?:date\s+of\s+issue|issue\s*date|date\s+issued|issued\s+on|billing\s+date|bill\s+date)"),
    ("invoice_date", "en", r"tax\s+point(?:\s+date)?|document\s+date|receipt\s+date"),
    ("invoice_date", None, r"date|dated|datum|data|fecha", 0.8),
    ("invoice_date", "de", r"rechnungs\s*-?\s*datum|re\s*-?\s*datum|belegdatum|ausstellungsdatum|datum\s+der\s+rechnung"),
    ("invoice_date", "fr", r"date\s+(?:de\s+(?:la\s+)?)?factur(?:e|ation)|date\s+d'?\s*emission|date\s+facture|facture\s+du|emise?\s+le"),
    ("invoice_date", "es", r"fecha\s+(?:de\s+)?(?:la\s+)?(?:factura|emision|expedicion)"),
    ("invoice_date", "nl", r"factuur\s*-?\s*datum|datum\s+factuur"),
    ("invoice_date", "it", r"data\s+(?:della\s+)?(?:fattura|emissione|documento)"),
    # ---------------------------------------------------------------- due date
    ("due_date", "en", r"please\s+pay\s+(?:by|before|until|no\s+later\s+than)|to\s+be\s+paid\s+(?:by|before)|(?:payment\s+)?due\s*date|date\s+due|payment\s+due(?:\s+(?:by|on|date))?|due\s+(?:by|on)|pay\s+by|payable\s+(?:by|until|before)|(?:payment\s+)?no\s+later\s+than|at\s+the\s+latest\s+(?:by|on)"),
    ("due_date", "en", r"due", 0.8),
    ("due_date", "de", r"(?:bitte\s+)?(?:zahlen|uberweisen)\s+sie\s+bis(?:\s+zum)?|spatestens\s+(?:am|bis)|fallig(?:keit(?:sdatum)?)?(?:\s+am|\s+bis)?|zahlbar\s+(?:bis|am)|zahlungsziel|zu\s+zahlen\s+bis|zahlungsfrist|falligkeitstermin|bezahlung\s+bis"),
    ("due_date", "fr", r"a\s+regler\s+avant\s+le|a\s+payer\s+le|date\s+(?:d'?\s*|de\s+l'?\s*)echeance|echeance|date\s+limite(?:\s+de\s+(?:paiement|reglement))?|a\s+payer\s+(?:avant|au\s+plus\s+tard)\s*(?:le)?|payable\s+(?:avant|le)"),
    ("due_date", "es", r"a\s+pagar\s+antes\s+del?|fecha\s+de\s+pago\s+limite|fecha\s+(?:de\s+)?vencimiento|vencimiento|fecha\s+limite(?:\s+de\s+pago)?|pagar\s+antes\s+de"),
    ("due_date", "nl", r"(?:uiterlijk\s+)?te\s+voldoen\s+(?:op|voor)|uiterlijk\s+(?:op|voor)|betalen\s+uiterlijk(?:\s+op)?|vervaldatum|vervaldag|uiterste\s+betaal\s*datum|te\s+betalen\s+(?:voor|uiterlijk)|betalen\s+voor"),
    ("due_date", "it", r"scadenza\s+(?:del\s+)?pagamento|da\s+saldare\s+entro|data\s+(?:di\s+)?scadenza|scadenza(?:\s+pagamento)?|da\s+pagare\s+entro|pagamento\s+entro"),
    # ---------------------------------------------------------------- purchase order
    ("po_number", "en", r"(?:p\.?\s?o\.?|purchase\s+order)\s*(?:number|no\b\.?|nr\b\.?|#|ref(?:erence)?)?|your\s+(?:order|po)(?:\s*(?:number|no\.?|ref(?:erence)?|#))?|customer\s+po|order\s+reference"),
    ("po_number", "de", r"bestell\s*-?\s*(?:nummer|nr\.?)|ihre\s+bestell(?:ung|nummer)(?:\s*(?:nr\.?|nummer))?|bestellung\s+(?:nr\.?|vom)|ihr\s+auftrag|ihre\s+referenz"),
    ("po_number", "fr", r"bc\s*n[°º]|(?:n[°º]|numero)\s*(?:de\s+)?(?:bon\s+de\s+)?commande|bon\s+de\s+commande|commande\s*(?:n[°º]|no\.?|client)|votre\s+commande|ref(?:erence)?\.?\s+commande|v/?\s*ref\.?"),
    ("po_number", "es", r"(?:n\.?\s*[°º]|numero)\s*(?:de\s+)?pedido|pedido\s*(?:n\.?\s*[°º]|no\.?)?|orden\s+de\s+compra|su\s+pedido|su\s+referencia"),
    ("po_number", "nl", r"uw\s+order\s*-?\s*(?:nummer|nr\.?)|(?:inkoop\s*)?order\s*-?\s*(?:nummer|nr\.?)|bestel\s*-?\s*(?:nummer|nr\.?|bon)|uw\s+(?:referentie|bestelling|order)|inkooporder"),
    ("po_number", "it", r"(?:n\.?|numero)\s*ordine|ordine\s*(?:n\.?|nr\.?|d'?acquisto|cliente)?|rif\.?\s*ordine|vs\.?\s*ordine|vostro\s+ordine|vs\.?\s*rif\.?"),
    # ---------------------------------------------------------------- distractors: other numbers and dates
    ("x_order_number", "en", r"(?:sales\s+)?order\s*(?:number|no\.?|#|id)|order|job\s*(?:number|no\.?)"),
    ("x_order_number", "de", r"auftrags?\s*-?\s*(?:nummer|nr\.?|bestatigung)|auftrag"),
    ("x_delivery", "en", r"(?:delivery|shipping|ship|dispatch)\s*(?:note\s*)?(?:number|no\.?|#)|delivery\s+note|packing\s+slip"),
    ("x_delivery", "de", r"lieferschein\s*-?\s*(?:nummer|nr\.?)?|liefer\s*-?\s*(?:nummer|nr\.?)"),
    ("x_delivery", "fr", r"bon\s+de\s+livraison|(?:n[°º]\s*)?bl\b"),
    ("x_delivery", "es", r"albaran(?:\s*(?:n\.?\s*[°º]|no\.?))?"),
    ("x_delivery", "it", r"d\.?d\.?t\.?|documento\s+di\s+trasporto|bolla"),
    ("x_other_date", "en", r"(?:order|delivery|shipping|ship|dispatch|service|supply|performance|start|end|print(?:ed)?|payment|transaction|booking)\s*date|date\s+(?:of\s+)?(?:order|delivery|supply|service|shipment)|shipped(?:\s+on)?|delivered(?:\s+on)?|ordered(?:\s+on)?|service\s+period|billing\s+period|period|until|valid\s+until"),
    ("x_other_date", "de", r"(?:bestell|auftrags|liefer|leistungs|versand|buchungs|druck|zahlungs)\s*-?\s*datum|leistungs\s*-?\s*zeitraum|lieferzeitraum|abrechnungszeitraum|zeitraum|gelieferte?\s+am|geliefert\s+am|vom|bis"),
    ("x_other_date", "fr", r"date\s+(?:de\s+)?(?:commande|livraison|expedition|prestation|paiement|debut|fin)|periode|livre\s+le|du|au"),
    ("x_other_date", "es", r"fecha\s+(?:de\s+)?(?:pedido|entrega|envio|servicio|pago)|periodo|entregado\s+el"),
    ("x_other_date", "nl", r"(?:order|lever|bestel|lever|verzend|betaal)\s*-?\s*datum|periode|geleverd\s+op"),
    ("x_other_date", "it", r"data\s+(?:dell'?\s*)?(?:ordine|consegna|spedizione|pagamento)|periodo|data\s+(?:di\s+)?stampa"),
    ("x_other_date", None, r"druckdatum|date\s+d'?\s*impression|imprime\s+le|edite\s+le|fecha\s+de\s+impresion|"
                           r"print\s*datum|afdrukdatum|erstellt\s+am|gedruckt\s+am"),
    ("invoice_date", "it", r"del", 0.6),
    ("invoice_date", None, r"[^\W\d_][^\W\d_\-]+,\s+(?:den|le)", 0.85),  # "München, den 01.11.2024"
    ("x_customer_number", "en", r"(?:customer|client|account|acct|member|contract|tax\s+payer)\s*(?:number|no\b\.?|nr\b\.?|#|id\b|code|ref(?:erence)?\b\.?)|account"),
    ("x_customer_number", "de", r"kunden\s*-?\s*(?:nummer|nr\.?|id|konto)|kd\s*-?\s*nr\.?|konto\s*-?\s*(?:nummer|nr\.?)|vertrags?\s*-?\s*(?:nummer|nr\.?)|mitglieds?nummer"),
    ("x_customer_number", "fr", r"(?:n[°º]|numero|code|ref(?:erence)?\.?)\s*(?:de\s+)?client|client\s*(?:n[°º]|no\.?)|(?:n[°º]|numero)\s*(?:de\s+)?(?:compte|contrat)"),
    ("x_customer_number", "es", r"(?:n\.?\s*[°º]|numero|codigo|cod\.)\s*(?:de\s+)?cliente|cliente\s*(?:n\.?\s*[°º]|no\.?)|(?:n\.?\s*[°º]|numero)\s*(?:de\s+)?(?:cuenta|contrato)"),
    ("x_customer_number", "nl", r"klant\s*-?\s*(?:nummer|nr\.?|code)|debiteur(?:en)?\s*-?\s*(?:nummer|nr\.?)|relatie\s*-?\s*(?:nummer|nr\.?)"),
    ("x_customer_number", "it", r"(?:codice|cod\.|n\.?|numero)\s*cliente|cliente\s*(?:n\.?|nr\.?)"),
    # ---------------------------------------------------------------- amounts
    ("subtotal", "en", r"sub\s*-?\s*total|net\s+(?:amount|total|value|price)|total\s+net|total\s+(?:excl(?:uding|\.)?|exc\.?|ex\.?|before|w/?o|without)\b[\w\s.%]{0,16}|amount\s+(?:excl(?:uding|\.)?|before)\b[\w\s.%]{0,12}|taxable\s+(?:amount|value)|total\s+(?:taxable|goods|services|items|lines)|(?:items|line)\s+total"),
    ("subtotal", "de", r"zwischen\s*-?\s*(?:summe|total)|netto\s*-?\s*(?:betrag|summe|gesamt|rechnungsbetrag|wert)|(?:summe|gesamt(?:betrag)?|gesamtsumme|rechnungsbetrag|rechnungssumme)\s*\(?\s*netto\)?|warenwert|summe\s+positionen|gesamt\s+(?:exkl|ohne)\.?[\w\s.%]{0,12}"),
    ("subtotal", None, r"(?:exclusief|exclusive|excluding|excl\.?|exkl\.?|ohne|hors|sin|senza|without|ex\.?)\s+"
                       r"(?:btw|vat|tax|mwst\.?|ust\.?|tva|iva|gst)"),
    ("total", None, r"(?:inclusief|inclusive|including|incl\.?|inkl\.?|ttc|con|iva\s+inclusa|with)\s+"
                    r"(?:btw|vat|tax|mwst\.?|ust\.?|tva|iva|gst)", 0.9),
    ("subtotal", None, r"netto(?!\s*\d)|neto(?!\s*\d)|(?<!days )(?<!day )(?<!jours )(?<!tage )(?<!dagen )(?<!dias )(?<!giorni )net(?!\s*\d)", 0.7),
    ("subtotal", "fr", r"sous\s*-?\s*total|total\s+h\.?\s?t\.?|montant\s+h\.?\s?t\.?|total\s+hors\s+tax(?:e|es)|montant\s+hors\s+tax(?:e|es)|base\s+(?:ht|imposable)|total\s+net(?:\s+ht)?"),
    ("subtotal", "es", r"base\s+imponible|subtotal|importe\s+neto|total\s+(?:sin|antes\s+de)\s+(?:iva|impuestos)"),
    ("subtotal", None, r"grondslag|tax\s+base|base\s+amount|bemessungsgrundlage|base\s+imponible|base\s+ht"),
    ("subtotal", "nl", r"sub\s*-?\s*totaal|totaal\s+(?:excl(?:usief|\.)?|exclusief)\b[\w\s.%]{0,10}|netto\s*-?\s*(?:bedrag|totaal)|bedrag\s+excl\.?[\w\s.%]{0,10}"),
    ("subtotal", "it", r"(?:totale\s+)?imponibile|subtotale|totale\s+netto|totale\s+(?:senza|escluso?)\s+iva"),
    ("tax", "en", r"(?:total\s+)?(?:vat|tax|sales\s+tax|gst|hst|pst|qst|vat/gst)(?:\s+(?:amount|total))?|tax\s+total|plus\s+(?:vat|tax)"),
    ("tax", "de", r"(?:gesamt\s*-?\s*|summe\s+|zzgl\.?\s*|zuzugl\.?\s*|zuzuglich\s+|enthaltene\s+|inkl\.?\s+|)(?:mwst\.?|mehrwertsteuer|ust\.?|umsatzsteuer)(?:\s*-?\s*betrag)?"),
    ("tax", "fr", r"(?:total\s+|montant\s+(?:de\s+la\s+)?)?t\.?v\.?a\.?(?:\s+collectee)?"),
    ("tax", "es", r"total\s+cuotas?|cuota\s+total|total\s+iva|(?:total\s+|cuota\s+|importe\s+)?i\.?v\.?a\.?|(?:total\s+)?impuestos?"),
    ("tax", "nl", r"(?:totaal\s+)?b\.?t\.?w\.?(?:\s*-?\s*bedrag)?"),
    ("tax", "it", r"(?:totale\s+|importo\s+)?i\.?v\.?a\.?|(?:totale\s+)?imposta"),
    ("total", "en", r"(?:grand|invoice|gross|final)\s+total|total\s+(?:amount|invoice|value|sum|price|cost|charges?)|total\s+(?:incl(?:uding|\.)?|inkl\.?|inc\.?|with|after)\b[\w\s.%]{0,16}|amount\s+incl(?:uding|\.)?\b[\w\s.%]{0,12}|invoice\s+amount|gross\s+amount"),
    ("total", None, r"total", 0.9),
    ("total", "de", r"gesamt\s*-?\s*(?:betrag|summe)(?:\s*\(?\s*brutto\)?)?|(?:rechnungs|end|brutto|gesamt)\s*-?\s*(?:betrag|summe)|summe\s+brutto|gesamt\s+(?:inkl|brutto)\.?[\w\s.%]{0,12}|bruttobetrag|endsumme"),
    ("total", "de", r"gesamt|summe|brutto", 0.75),
    ("total", "fr", r"total\s+t\.?t\.?c\.?|montant\s+t\.?t\.?c\.?|total\s+(?:toutes\s+taxes|general|facture|a\s+payer)|montant\s+total"),
    ("total", "es", r"total\s+(?:factura|general|con\s+iva|iva\s+incluido)|importe\s+total"),
    ("total", "nl", r"totaal\s*(?:bedrag|incl(?:usief|\.)?\b[\w\s.%]{0,10})|totaalbedrag|factuurbedrag"),
    ("total", "nl", r"totaal", 0.9),
    ("total", "it", r"totale\s+(?:fattura|documento|generale|complessivo|ivato|iva\s+inclusa)|importo\s+totale"),
    ("total", "it", r"totale", 0.9),
    ("amount_due", "en", r"total\s+amount\s+(?:due|payable|owing|outstanding|to\s+pay)|(?:amount|balance|total)\s+(?:now\s+)?(?:due|payable|owing|outstanding|to\s+pay)|please\s+pay|pay\s+this\s+amount|amount\s+to\s+(?:be\s+)?pa(?:y|id)|outstanding(?:\s+amount|\s+balance)?"),
    ("amount_due", None, r"balance|saldo|solde", 0.75),
    ("amount_due", "de", r"zu\s+zahlen(?:der\s+betrag)?|zahlbetrag|offener\s+betrag|noch\s+zu\s+zahlen|zahlungsbetrag|restbetrag|offener\s+saldo"),
    ("amount_due", "fr", r"net\s+a\s+payer|reste\s+a\s+payer|montant\s+(?:du|a\s+payer)|solde\s+(?:du|a\s+payer)"),
    ("amount_due", "fr", r"a\s+payer", 0.75),
    ("amount_due", "es", r"(?:importe|total|saldo)\s+(?:a\s+pagar|pendiente|adeudado)"),
    ("amount_due", "es", r"a\s+pagar", 0.75),
    ("amount_due", "nl", r"te\s+betalen(?:\s+bedrag)?|openstaand(?:\s+bedrag|\s+saldo)?|nog\s+te\s+betalen"),
    ("amount_due", "it", r"(?:totale|netto|importo)\s+(?:da\s+pagare|a\s+pagare|dovuto)|da\s+pagare"),
    ("x_paid", "en", r"(?:amount\s+|total\s+)?paid(?:\s+(?:amount|to\s+date|on|by|with|via))?|payments?\s+(?:received|made|applied)|less\s+(?:payments?|deposit|paid)|deposit(?:\s+paid)?|prepaid|advance\s+payment|credit(?:s|\s+applied)?|already\s+paid|down\s+payment"),
    ("x_paid", "de", r"(?:bereits\s+)?(?:bezahlt|gezahlt|erhalten)|anzahlung|abschlagszahlung|vorauszahlung|geleistete\s+zahlungen?|gutschrift"),
    ("x_paid", "fr", r"(?:deja\s+)?(?:paye|regle|verse)|acompte(?:\s+verse)?|avance|montant\s+(?:paye|regle|verse)|paiement(?:s)?\s+recus?"),
    ("x_paid", "es", r"(?:ya\s+)?pagado|anticipo|a\s+cuenta|importe\s+pagado|entrega\s+a\s+cuenta|pagos?\s+recibidos?"),
    ("x_paid", "nl", r"(?:reeds\s+|al\s+)?betaald|aanbetaling|vooruitbetaling|voldaan|ontvangen"),
    ("x_paid", "it", r"(?:gia\s+)?(?:pagato|versato|incassato)|acconto|anticipo"),
    ("x_previous", "en", r"previous\s+(?:balance|invoice|amount)|balance\s+(?:forward|brought\s+forward|b/f)|opening\s+balance|prior\s+balance|last\s+invoice"),
    ("x_previous", "de", r"(?:vorheriger|alter|bisheriger)\s+saldo|saldovortrag|vortrag|ubertrag|vorherige\s+rechnung"),
    ("x_previous", "fr", r"solde\s+(?:precedent|anterieur|reporte)|report|a\s+reporter|facture\s+precedente"),
    ("x_previous", "es", r"saldo\s+(?:anterior|previo)|suma\s+y\s+sigue|suma\s+anterior"),
    ("subtotal", "es", r"suma", 0.8),
    ("x_previous", "nl", r"(?:vorig|vorige|oud)\s+saldo|transport|vorige\s+factuur"),
    ("x_previous", "it", r"saldo\s+(?:precedente|anteriore)|riporto|a\s+riportare"),
    ("x_carried", "en", r"carried\s+forward|brought\s+forward|c/f|b/f|continued|subtotal\s+page|page\s+total"),
    ("x_discount", None, r"discount|rabatt|skonto|remise|descuento|korting|sconto|nachlass"),
    ("x_shipping", None, r"shipping|freight|delivery\s+charges?|porto|versand(?:kosten)?|frais\s+de\s+port|envio|verzendkosten|spedizione|trasporto|transporte|portes"),
    ("x_rate", None, r"(?:vat|tax|mwst|ust|tva|iva|btw)\s*(?:rate|satz|-?satz|taux|tasa|tarief|aliquota|%)|steuersatz|taux|tasa|tarief|aliquota|rate"),
    # ---------------------------------------------------------------- parties
    ("customer", "en", r"billing\s+contact|technical\s+contact|licen[cs]ed\s+to|bill(?:ed)?\s+to|invoice(?:d)?\s+to|sold\s+to|billing\s+address|customer\s+(?:details|address|name)|client\s+(?:details|address|name)|buyer|recipient"),
    ("customer", "en", r"customer|client|to", 0.7),
    ("customer", "de", r"rechnungs\s*-?\s*(?:empfanger|adresse|anschrift)|kaufer|auftraggeber|empfanger"),
    ("customer", "de", r"kunde|an", 0.7),
    ("customer", "fr", r"client", 0.7),
    ("customer", "fr", r"factur(?:e|ee)\s+a|adresse\s+de\s+facturation|destinataire|acheteur|a\s+l'?attention\s+de"),
    ("customer", "es", r"factur(?:ar|ado)\s+a|datos\s+del\s+cliente|destinatario|comprador"),
    ("customer", None, r"cliente", 0.7),
    ("customer", "nl", r"factuur\s*-?\s*adres|gefactureerd\s+aan|afnemer"),
    ("customer", "nl", r"klant|aan", 0.7),
    ("customer", "it", r"fatturare\s+a|intestat(?:ario|o\s+a)|destinatario|spett(?:\.|abile)?(?:le)?|committente|cessionario(?:/committente)?"),
    ("x_ship_to", "en", r"ship(?:ped)?\s+to|deliver(?:ed)?\s+to|delivery\s+address|shipping\s+address|consignee"),
    ("x_ship_to", "de", r"liefer\s*-?\s*(?:adresse|anschrift)|lieferung\s+an|versand\s*-?\s*adresse|warenempfanger"),
    ("x_ship_to", "fr", r"livrer\s+a|(?:adresse\s+de\s+)?livraison|livre\s+a|expedie\s+a"),
    ("x_ship_to", "es", r"entregar\s+en|lugar\s+de\s+entrega|(?:direccion\s+de\s+)?(?:envio|entrega)|enviar\s+a"),
    ("x_ship_to", "nl", r"bezorg\s*-?\s*adres|afleveren\s+op|(?:af)?lever\s*-?\s*adres|leveringsadres|verzendadres"),
    ("x_ship_to", "it", r"luogo\s+di\s+consegna|consegnare\s+a|(?:indirizzo\s+di\s+)?(?:consegna|spedizione)|destinazione(?:\s+merce)?"),
    ("vendor", "en", r"bill\s+from|vendor|seller|supplier|issued\s+by|sold\s+by|payee|merchant"),
    ("vendor", "en", r"from", 0.6),
    ("vendor", "de", r"lieferant|verkaufer|rechnungssteller|absender|leistungserbringer|anbieter"),
    ("vendor", "fr", r"fournisseur|vendeur|emetteur|prestataire|expediteur"),
    ("vendor", "es", r"proveedor|vendedor|emisor|remitente"),
    ("vendor", "nl", r"leverancier|verkoper|afzender"),
    ("vendor", "it", r"fornitore|venditore|cedente(?:/prestatore)?|mittente"),
    # ---------------------------------------------------------------- ids and bank
    ("vendor_tax_id", "en", r"(?:vat|gst|tax|abn|tin|ein)\s*(?:reg(?:istration|\.)?\s*)?(?:number|no\b\.?|nr\b\.?|#|id\b|code)|vat|tin|ein|abn|gst(?:in)?|tax\s*id|federal\s+tax\s+id|company\s+reg(?:istration)?\s*(?:number|no\.?)|registration\s*(?:number|no\.?)"),
    ("vendor_tax_id", "de", r"uid(?:\s*-?\s*(?:nr\.?|nummer))?|ust\s*\.?\s*-?\s*id\s*\.?\s*-?\s*(?:nr\.?|nummer)?|ust\s*-?\s*idnr\.?|umsatzsteuer\s*-?\s*(?:id(?:entifikations)?\s*-?\s*(?:nummer|nr\.?)?)|steuer\s*-?\s*(?:nummer|nr\.?)|st\.?\s*-?\s*nr\.?|ust\s*\.?\s*-?\s*nr\.?"),
    ("vendor_tax_id", "fr", r"(?:n[°º]|numero|no\.?)?\s*(?:de\s+)?tva(?:\s+intra(?:communautaire|com\.?)?)?|tva\s+intra(?:communautaire|com\.?)?|siret|siren|n[°º]\s*tva"),
    ("vendor_tax_id", "es", r"n\.?\s*i\.?\s*f\.?|c\.?\s*i\.?\s*f\.?|nif\s*/\s*cif|n\.?\s*[°º]?\s*iva|vat"),
    ("vendor_tax_id", "nl", r"btw\s*-?\s*(?:nummer|nr\.?|id(?:entificatienummer)?)|kvk(?:\s*-?\s*(?:nummer|nr\.?))?"),
    ("vendor_tax_id", "it", r"p\.?\s*(?:artita)?\s*\.?\s*iva|partita\s+iva|c\.?\s*f\.?|codice\s+fiscale"),
    ("iban", None, r"iban(?:\s*(?:number|no\.?|nr\.?|code))?"),
    ("x_bic", None, r"bic|swift(?:\s*(?:code|bic))?|bic\s*/\s*swift|swift\s*/\s*bic|sort\s+code|routing(?:\s+number)?|aba|blz|bankleitzahl|account\s+(?:number|no\.?)|konto(?:nummer|nr\.?)?|bank(?:verbindung|name)?|banque|banco|rekening(?:nummer)?|conto"),
    ("payment_terms", "en", r"payment\s+terms|terms\s+of\s+payment|payment\s+conditions"),
    ("payment_terms", "en", r"terms", 0.7),
    ("payment_terms", "de", r"(?:zahlungs)?konditionen|zahlungs\s*-?\s*(?:bedingungen|bedingung|konditionen)|zahlungsbedingung"),
    ("payment_terms", "fr", r"mode\s+de\s+(?:paiement|reglement)|conditions\s+de\s+(?:paiement|reglement)|modalites\s+de\s+(?:paiement|reglement)|delai\s+de\s+paiement"),
    ("payment_terms", "es", r"modo\s+de\s+pago|condiciones\s+de\s+pago|forma\s+de\s+pago|terminos\s+de\s+pago|plazo\s+de\s+pago"),
    ("payment_terms", "nl", r"betaal\s*-?\s*(?:conditie|condities|voorwaarden|termijn)|betalings\s*-?\s*(?:voorwaarden|termijn|conditie|condities)"),
    ("payment_terms", "it", r"pagamento|condizioni\s+di\s+pagamento|termini\s+di\s+pagamento|modalita\s+di\s+pagamento"),
    ("currency", None, r"currency|wahrung|devise|moneda|divisa|valuta"),
    ("x_contact", None, r"interlocuteur|ansprechpartner(?:in)?|contact\s+person|referente|bearbeiter(?:in)?|"
                        r"sales\s+rep(?:resentative)?|contactpersoon|persona\s+de\s+contacto|"
                        r"tel(?:ephone|efon|efono|efoon|\.)?|phone|ph\.?|fax|mobile?|mob\.?|cell|handy|gsm|e\s*-?\s*mail|mail|web(?:site)?|internet|www|url|contact"),
    ("x_page", None, r"page|seite|pagina|blatt|pag\.?|blad"),
    ("x_copy", None, r"duplica(?:at|te|do|to)|copy|kopie|copie|copia|original"),
    ("x_quantity", None, r"qty|quantity|menge|anzahl|quantite|qte|cantidad|cant\.?|aantal|quantita|qta"),
]

LABEL_KINDS: frozenset[str] = frozenset(entry[0] for entry in _RAW)


def _specificity(pattern: str) -> int:
    """How specific a pattern is: the length of the shortest text it matches."""
    from re import _parser as sre_parse  # type: ignore[attr-defined]

    return sre_parse.parse(pattern).getwidth()[0]


# One alternation per alternative of each pattern, ordered most specific first.
_ALTERNATIVES: list[tuple[str, str | None, str, float]] = []
for _entry in _RAW:
    _kind, _lang, _pattern = _entry[:3]
    _weight = _entry[3] if len(_entry) > 3 else 1.0
    depth = 0
    part = ""
    for ch in _pattern:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            _ALTERNATIVES.append((_kind, _lang, part, _weight))
            part = ""
        else:
            part += ch
    _ALTERNATIVES.append((_kind, _lang, part, _weight))
_ALTERNATIVES.sort(key=lambda a: -_specificity(a[2]))


def _first_chars(items) -> set[str] | None:
    """Characters a parsed regex sequence can start with; None when it could start with anything."""
    from re import _constants as c  # type: ignore[attr-defined]

    out: set[str] = set()
    for op, arg in items:
        if op is c.LITERAL:
            out.add(chr(arg))
            return out
        if op is c.IN:
            for sub_op, sub_arg in arg:
                if sub_op is c.LITERAL:
                    out.add(chr(sub_arg))
                elif sub_op is c.RANGE:
                    out.update(chr(x) for x in range(sub_arg[0], sub_arg[1] + 1))
                else:
                    return None
            return out
        if op is c.SUBPATTERN:
            sub = _first_chars(arg[-1])
            if sub is None:
                return None
            out |= sub
            if not _can_be_empty(arg[-1]):
                return out
            continue
        if op is c.BRANCH:
            empty = False
            for branch in arg[1]:
                sub = _first_chars(branch)
                if sub is None:
                    return None
                out |= sub
                empty = empty or _can_be_empty(branch)
            if not empty:
                return out
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, _hi, item = arg
            sub = _first_chars(item)
            if sub is None:
                return None
            out |= sub
            if lo > 0:
                return out
            continue
        if op is c.AT:
            continue
        return None
    return None  # could be empty


def _can_be_empty(items) -> bool:
    from re import _constants as c  # type: ignore[attr-defined]

    for op, arg in items:
        if op is c.AT:
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            if arg[0] > 0 and not _can_be_empty(arg[2]):
                return False
            continue
        if op is c.SUBPATTERN:
            if not _can_be_empty(arg[-1]):
                return False
            continue
        if op is c.BRANCH:
            if not any(_can_be_empty(b) for b in arg[1]):
                return False
            continue
        return False
    return True


_TAIL = r"(?:(?<=[^\w\s])|(?![\w]))"  # a label ends at a word boundary, or with a mark ("n°", "#", "nr.")


def _build():
    """Per first character: one combined regex (a quick "is there any label here?") and the single patterns."""
    from re import _parser as sre_parse  # type: ignore[attr-defined]

    by_char: dict[str, list[int]] = {}
    anywhere: list[int] = []
    for i, (_kind, _lang, pattern, _weight) in enumerate(_ALTERNATIVES):
        chars = _first_chars(list(sre_parse.parse(pattern)))
        if chars is None:
            anywhere.append(i)
            continue
        for ch in chars:
            by_char.setdefault(ch, []).append(i)
    singles = [re.compile(f"(?:{p}){_TAIL}") for _, _, p, _ in _ALTERNATIVES]

    def combined(ids: list[int]) -> re.Pattern[str]:
        return re.compile("(?:" + "|".join(f"(?:{_ALTERNATIVES[i][2]})" for i in ids) + ")" + _TAIL)

    table = {ch: (combined(ids + anywhere), [singles[i] for i in ids + anywhere], ids + anywhere)
             for ch, ids in by_char.items()}
    fallback = (combined(anywhere), [singles[i] for i in anywhere], anywhere) if anywhere else None
    return table, fallback


_TABLE, _FALLBACK = _build()
_WORD_START = re.compile(r"(?<![\w])[\w#]")


_VALUE_GOES_ON = re.compile(r"[-/_.]?\d")


def _match_at(folded: str, pos: int) -> tuple[int, int] | None:
    """(alternative index, end) of the longest label starting at ``pos``; ties go to the more specific one.

    A match running straight into digits ("PO-76247", "RE2024") is part of a value, not a label.
    """
    entry = _TABLE.get(folded[pos], _FALLBACK)
    if entry is None:
        return None
    quick, singles, ids = entry
    if quick.match(folded, pos) is None:
        return None
    best: tuple[int, int] | None = None
    for regex, i in zip(singles, ids, strict=True):
        m = regex.match(folded, pos)
        if m is not None and m.end() > pos and (best is None or m.end() > best[1]):
            best = (i, m.end())
    if best is not None and folded[best[1] - 1].isalnum() and _VALUE_GOES_ON.match(folded, best[1]):
        return None
    return best


@dataclass(frozen=True, slots=True)
class LabelMatch:
    kind: str
    language: str | None
    start: int
    end: int  # after the label and any trailing ":" / "#"
    weight: float = 1.0  # 1 for a specific label ("invoice date"), less for a generic one ("date")
    colon: bool = False  # the label ends with ":" (a strong sign a value follows)


_TRAIL = re.compile(r"\s*(?:\([^)]{0,12}\))?\s*[:#.]?\s*(?:-\s+)?")


def find_labels(folded: str) -> list[LabelMatch]:
    """All label occurrences in folded text, left to right, without overlaps."""
    out = []
    pos = 0
    n = len(folded)
    while pos < n:
        start = _WORD_START.search(folded, pos)
        if start is None:
            break
        p = start.start()
        hit = _match_at(folded, p)
        if hit is None:
            pos = p + 1
            continue
        label = _label(hit, folded, p)
        if out and _adjacent(out[-1], label, folded):
            merged = _merge(out[-1], label)
            if merged is not None:
                out[-1] = merged
                pos = max(label.end, p + 1)
                continue
        out.append(label)
        pos = max(label.end, p + 1)
    return out


# Two labels written as one ("Rechnungssumme brutto", "Total MwSt"): the qualifier decides the kind.
_MERGE_KIND = {
    ("total", "total"): "total",
    ("total", "subtotal"): "subtotal",
    ("subtotal", "total"): "subtotal",
    ("total", "tax"): "tax",
    ("total", "amount_due"): "amount_due",
    ("amount_due", "total"): "amount_due",
    ("subtotal", "subtotal"): "subtotal",
    ("tax", "tax"): "tax",
    ("tax", "total"): "tax",
    ("invoice_number", "invoice_number"): "invoice_number",
    ("invoice_number", "invoice_date"): "invoice_date",
    ("invoice_date", "invoice_date"): "invoice_date",
    ("customer", "customer"): "customer",
    ("x_paid", "total"): "x_paid",
    ("vendor_tax_id", "tax"): "vendor_tax_id",  # "NIF-IVA", "USt-IdNr. / VAT"
    ("tax", "vendor_tax_id"): "vendor_tax_id",
    ("x_paid", "amount_due"): "x_paid",
    ("x_previous", "amount_due"): "x_previous",
    ("x_previous", "total"): "x_previous",
}


def _adjacent(a: LabelMatch, b: LabelMatch, folded: str) -> bool:
    # "Invoice: No. 001": a generic "number" after a colon still belongs to the label before it
    generic_number = b.kind == "invoice_number" and b.weight < 0.7
    return b.start >= a.end - 1 and not folded[a.end : b.start].strip(" -") and (not a.colon or generic_number)


def _merge(a: LabelMatch, b: LabelMatch) -> LabelMatch | None:
    kind = _MERGE_KIND.get((a.kind, b.kind))
    if kind is None and b.kind == "invoice_number" and b.weight < 0.7 and a.kind != "invoice_number":
        kind = "x_customer_number" if a.kind == "customer" else a.kind  # "Phone number", "Order no."
        return LabelMatch(kind, a.language, a.start, b.end, a.weight, b.colon)
    if kind is None:
        return None
    return LabelMatch(kind, a.language or b.language, a.start, b.end, max(a.weight, b.weight), b.colon)


def label_at_start(folded: str) -> LabelMatch | None:
    """The label a piece of text starts with, if any."""
    stripped = folded.lstrip()
    if not stripped:
        return None
    offset = len(folded) - len(stripped)
    hit = _match_at(folded, offset)
    if hit is None:
        return None
    return _label(hit, folded, offset)


def _label(hit: tuple[int, int], folded: str, start: int) -> LabelMatch:
    index, end = hit
    kind, lang, _pattern, weight = _ALTERNATIVES[index]
    colon = folded[start:end].rstrip().endswith(":")
    trail = _TRAIL.match(folded, end)
    if trail:
        colon = colon or ":" in folded[end : trail.end()]
        end = trail.end()
    return LabelMatch(kind, lang, start, end, weight, colon)
