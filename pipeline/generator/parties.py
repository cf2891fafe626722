"""Companies, people and addresses built from parts, per country. Names are combinations, not a short fixed list."""

from __future__ import annotations

import random
from dataclasses import dataclass

SURNAMES = {
    "US": (
        "Miller",
        "Johnson",
        "Carter",
        "Hughes",
        "Bennett",
        "Reyes",
        "Foster",
        "Sullivan",
        "Brooks",
        "Patel",
        "Kim",
        "Nguyen",
        "Coleman",
        "Harper",
        "Walsh",
        "Donovan",
        "Whitaker",
        "Lindqvist",
        "Garcia",
        "Turner",
    ),
    "GB": (
        "Smith",
        "Taylor",
        "Davies",
        "Evans",
        "Wright",
        "Thompson",
        "Hall",
        "Clarke",
        "Ashworth",
        "Pemberton",
        "Hargreaves",
        "Whitmore",
        "Fletcher",
        "Holloway",
        "Kendall",
        "Marsh",
        "Griffiths",
        "Shah",
        "Osei",
        "Murray",
    ),
    "DE": (
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
        "Braun",
        "Zimmermann",
        "Krüger",
        "Hartmann",
        "Lange",
        "Köhler",
        "Vogel",
        "Brandt",
    ),
    "FR": (
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Richard",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
        "Simon",
        "Laurent",
        "Lefèvre",
        "Michel",
        "Garnier",
        "Faure",
        "Rousseau",
        "Blanc",
        "Guérin",
        "Chevalier",
    ),
    "ES": (
        "García",
        "Fernández",
        "González",
        "Rodríguez",
        "López",
        "Martínez",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Ruiz",
        "Díaz",
        "Moreno",
        "Muñoz",
        "Álvarez",
        "Romero",
        "Navarro",
        "Torres",
        "Domínguez",
        "Vázquez",
        "Ramos",
    ),
    "NL": (
        "de Jong",
        "Jansen",
        "de Vries",
        "van den Berg",
        "van Dijk",
        "Bakker",
        "Visser",
        "Smit",
        "Meijer",
        "de Boer",
        "Mulder",
        "de Groot",
        "Bos",
        "Vos",
        "Peters",
        "Hendriks",
        "van Leeuwen",
        "Dekker",
        "Brouwer",
    ),
    "IT": (
        "Rossi",
        "Russo",
        "Ferrari",
        "Esposito",
        "Bianchi",
        "Romano",
        "Colombo",
        "Ricci",
        "Marino",
        "Greco",
        "Bruno",
        "Gallo",
        "Conti",
        "De Luca",
        "Mancini",
        "Costa",
        "Giordano",
        "Rizzo",
        "Lombardi",
        "Moretti",
    ),
    "SE": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson"),
    "DK": ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen"),
    "PL": ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński"),
    "JP": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi"),
}
SURNAMES["CA"] = SURNAMES["US"] + ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard")
SURNAMES["AU"] = SURNAMES["GB"] + ("Nguyen", "Wilson", "Kelly", "Ryan")
SURNAMES["IE"] = ("Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "Doyle", "McCarthy")
SURNAMES["AT"] = SURNAMES["DE"] + ("Gruber", "Huber", "Bauer", "Pichler", "Moser", "Steiner")
SURNAMES["CH"] = SURNAMES["DE"] + ("Meier", "Keller", "Frei", "Baumann", "Brunner", "Gerber")
SURNAMES["BE"] = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Dubois", "Lambert", "Dupont")

FIRST = {
    "US": (
        "James",
        "Sarah",
        "Michael",
        "Emily",
        "David",
        "Jessica",
        "Daniel",
        "Ashley",
        "Robert",
        "Megan",
        "Carlos",
        "Priya",
    ),
    "GB": ("Oliver", "Charlotte", "Harry", "Amelia", "George", "Sophie", "Jack", "Emily", "Thomas", "Hannah"),
    "DE": ("Thomas", "Andrea", "Stefan", "Sabine", "Michael", "Claudia", "Jan", "Katrin", "Markus", "Julia", "Jürgen"),
    "FR": ("Pierre", "Marie", "Julien", "Camille", "Nicolas", "Sophie", "Antoine", "Élodie", "François", "Chloé"),
    "ES": ("Javier", "María", "Carlos", "Lucía", "Alejandro", "Carmen", "Pablo", "Laura", "José", "Marta"),
    "NL": ("Jeroen", "Anouk", "Bas", "Femke", "Sander", "Lotte", "Thijs", "Sanne", "Ruud", "Eline"),
    "IT": ("Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Chiara", "Matteo", "Sara", "Giuseppe", "Elena"),
    "SE": ("Erik", "Anna", "Lars", "Karin", "Johan", "Maria"),
    "DK": ("Mads", "Mette", "Søren", "Louise", "Anders"),
    "PL": ("Piotr", "Anna", "Tomasz", "Katarzyna", "Marek", "Agnieszka"),
    "JP": ("Hiroshi", "Yuki", "Kenji", "Aiko", "Takeshi"),
}
for _c, _src in (("CA", "US"), ("AU", "GB"), ("IE", "GB"), ("AT", "DE"), ("CH", "DE"), ("BE", "NL")):
    FIRST[_c] = FIRST[_src]

# Words companies are named after, and trades. Kept in the country's language.
WORDS = {
    "en": (
        "Northwind",
        "Bluewater",
        "Summit",
        "Redwood",
        "Ironbridge",
        "Harbor",
        "Silverline",
        "Oakfield",
        "Brightpath",
        "Cedar",
        "Keystone",
        "Pinnacle",
        "Granite",
        "Lakeside",
        "Meridian",
        "Crescent",
        "Falcon",
        "Evergreen",
        "Copperleaf",
        "Westgate",
        "Highland",
        "Riverside",
        "Sterling",
        "Apex",
        "Quarry",
        "Beacon",
        "Maple",
        "Tidewater",
    ),
    "de": (
        "Nordlicht",
        "Alpen",
        "Rhein",
        "Elbe",
        "Lindenhof",
        "Bergland",
        "Sonnenhof",
        "Weitblick",
        "Eichenwald",
        "Taunus",
        "Spree",
        "Isar",
        "Hanse",
        "Brückner",
        "Sternwerk",
        "Blauwal",
        "Feldberg",
        "Neckar",
        "Harz",
        "Mosel",
    ),
    "fr": (
        "Horizon",
        "Azur",
        "Lumière",
        "Provence",
        "Atlantique",
        "Les Tilleuls",
        "Val de Loire",
        "Beaulieu",
        "Mont-Blanc",
        "Océane",
        "Bel Air",
        "Saint-Roch",
        "Garonne",
        "Étoile",
        "Riviera",
        "Vallée",
    ),
    "es": (
        "Sol",
        "Ibérica",
        "Mediterráneo",
        "Levante",
        "Alborán",
        "Sierra",
        "Aurora",
        "Costa",
        "Cantábrica",
        "Guadalquivir",
        "Montaña",
        "Norte",
        "Castilla",
        "Atlántica",
        "Bahía",
        "Olivar",
    ),
    "nl": (
        "Noorderlicht",
        "Polder",
        "Duin",
        "Zeeland",
        "Waterkant",
        "Grachtenhuis",
        "Molenwiek",
        "Tulp",
        "Kade",
        "Horizon",
        "Lindeboom",
        "Eiland",
        "Delta",
        "Zuiderzee",
        "Veluwe",
        "Rijnmond",
    ),
    "it": (
        "Aurora",
        "Mediterranea",
        "Dolomiti",
        "Adriatica",
        "Toscana",
        "Vesuvio",
        "Laguna",
        "Monte Bianco",
        "Sole",
        "Stella",
        "Arno",
        "Tirrena",
        "Olimpia",
        "Ponte",
        "Fiore",
        "Lago",
    ),
}
TRADES = {
    "en": (
        "Logistics",
        "Analytics",
        "Consulting",
        "Supplies",
        "Engineering",
        "Print & Design",
        "Office Solutions",
        "IT Services",
        "Facilities",
        "Electrical",
        "Catering",
        "Software",
        "Packaging",
        "Marketing",
        "Tools",
        "Building Services",
        "Cleaning Services",
        "Systems",
        "Industries",
        "Media",
        "Furniture",
        "Labs",
    ),
    "de": (
        "Logistik",
        "Bürobedarf",
        "Elektrotechnik",
        "Haustechnik",
        "IT-Service",
        "Beratung",
        "Druckerei",
        "Gebäudereinigung",
        "Metallbau",
        "Software",
        "Verpackungen",
        "Werbeagentur",
        "Maschinenbau",
        "Sanitär",
        "Catering",
        "Bauunternehmung",
        "Systemhaus",
        "Medien",
    ),
    "fr": (
        "Logistique",
        "Fournitures de bureau",
        "Conseil",
        "Informatique",
        "Imprimerie",
        "Nettoyage",
        "Électricité",
        "Bâtiment",
        "Emballages",
        "Communication",
        "Traiteur",
        "Plomberie",
        "Services",
        "Équipements",
    ),
    "es": (
        "Logística",
        "Suministros",
        "Consultoría",
        "Informática",
        "Artes Gráficas",
        "Limpiezas",
        "Instalaciones",
        "Construcciones",
        "Embalajes",
        "Distribuciones",
        "Servicios",
        "Electricidad",
        "Catering",
        "Comunicación",
    ),
    "nl": (
        "Logistiek",
        "Kantoorartikelen",
        "Advies",
        "ICT",
        "Drukkerij",
        "Schoonmaak",
        "Installatietechniek",
        "Bouw",
        "Verpakkingen",
        "Groothandel",
        "Communicatie",
        "Techniek",
        "Catering",
        "Software",
    ),
    "it": (
        "Logistica",
        "Forniture per ufficio",
        "Consulenza",
        "Informatica",
        "Tipografia",
        "Pulizie",
        "Impianti",
        "Costruzioni",
        "Imballaggi",
        "Distribuzione",
        "Servizi",
        "Elettroforniture",
        "Catering",
        "Comunicazione",
    ),
}
LEGAL = {
    "US": ("Inc.", "LLC", "Corp.", "Co.", "LLC", "Inc."),
    "CA": ("Inc.", "Ltd.", "Corp."),
    "GB": ("Ltd", "Ltd.", "Limited", "PLC", "LLP"),
    "IE": ("Ltd", "Limited", "DAC"),
    "AU": ("Pty Ltd", "Pty. Ltd."),
    "DE": ("GmbH", "GmbH & Co. KG", "AG", "e.K.", "KG", "UG (haftungsbeschränkt)", "GmbH"),
    "AT": ("GmbH", "KG", "OG", "AG"),
    "CH": ("AG", "GmbH", "SA"),
    "FR": ("SARL", "SAS", "SA", "EURL", "SASU", "SAS"),
    "BE": ("SA", "SRL", "BV", "NV", "BVBA"),
    "ES": ("S.L.", "S.A.", "S.L.U.", "S.L.", "S.Coop."),
    "NL": ("B.V.", "BV", "V.O.F.", "N.V."),
    "IT": ("S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "S.r.l.s."),
    "SE": ("AB",),
    "DK": ("ApS", "A/S"),
    "PL": ("Sp. z o.o.", "S.A."),
    "JP": ("K.K.", "Co., Ltd.", "Inc."),
}
LANG_OF = {
    "US": "en",
    "CA": "en",
    "GB": "en",
    "IE": "en",
    "AU": "en",
    "SE": "en",
    "DK": "en",
    "PL": "en",
    "JP": "en",
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "BE": "fr",
    "ES": "es",
    "NL": "nl",
    "IT": "it",
}

COUNTRY_NAMES = {
    "en": {
        "US": "USA",
        "CA": "Canada",
        "GB": "United Kingdom",
        "IE": "Ireland",
        "AU": "Australia",
        "SE": "Sweden",
        "DK": "Denmark",
        "PL": "Poland",
        "JP": "Japan",
        "DE": "Germany",
        "AT": "Austria",
        "CH": "Switzerland",
        "FR": "France",
        "BE": "Belgium",
        "ES": "Spain",
        "NL": "Netherlands",
        "IT": "Italy",
    },
    "de": {
        "DE": "Deutschland",
        "AT": "Österreich",
        "CH": "Schweiz",
        "FR": "Frankreich",
        "NL": "Niederlande",
        "IT": "Italien",
        "ES": "Spanien",
        "BE": "Belgien",
        "GB": "Vereinigtes Königreich",
        "US": "USA",
        "PL": "Polen",
        "DK": "Dänemark",
        "SE": "Schweden",
    },
    "fr": {
        "FR": "France",
        "BE": "Belgique",
        "CH": "Suisse",
        "DE": "Allemagne",
        "ES": "Espagne",
        "IT": "Italie",
        "NL": "Pays-Bas",
        "GB": "Royaume-Uni",
        "US": "États-Unis",
    },
    "es": {
        "ES": "España",
        "FR": "Francia",
        "DE": "Alemania",
        "IT": "Italia",
        "PT": "Portugal",
        "NL": "Países Bajos",
        "GB": "Reino Unido",
    },
    "nl": {"NL": "Nederland", "BE": "België", "DE": "Duitsland", "FR": "Frankrijk", "GB": "Verenigd Koninkrijk"},
    "it": {"IT": "Italia", "DE": "Germania", "FR": "Francia", "ES": "Spagna", "CH": "Svizzera", "AT": "Austria"},
}

# (city, postcode pattern: 9 = digit, A = letter, or fixed prefix), region for US/CA/AU
CITIES = {
    "US": (
        ("New York", "NY", "100##"),
        ("Chicago", "IL", "606##"),
        ("Austin", "TX", "787##"),
        ("Denver", "CO", "802##"),
        ("Seattle", "WA", "981##"),
        ("Boston", "MA", "021##"),
        ("Atlanta", "GA", "303##"),
        ("Portland", "OR", "972##"),
        ("San Jose", "CA", "951##"),
        ("Columbus", "OH", "432##"),
        ("Phoenix", "AZ", "850##"),
        ("Raleigh", "NC", "276##"),
        ("Minneapolis", "MN", "554##"),
        ("Nashville", "TN", "372##"),
        ("Newark", "NJ", "071##"),
    ),
    "CA": (
        ("Toronto", "ON", "M5V #A#"),
        ("Vancouver", "BC", "V6B #A#"),
        ("Montréal", "QC", "H3B #A#"),
        ("Calgary", "AB", "T2P #A#"),
        ("Ottawa", "ON", "K1P #A#"),
    ),
    "AU": (
        ("Sydney", "NSW", "20##"),
        ("Melbourne", "VIC", "30##"),
        ("Brisbane", "QLD", "40##"),
        ("Perth", "WA", "60##"),
        ("Adelaide", "SA", "50##"),
    ),
    "GB": (
        ("London", "", "EC1A #AA"),
        ("London", "", "SE1 #AA"),
        ("Manchester", "", "M1 #AA"),
        ("Leeds", "", "LS1 #AA"),
        ("Bristol", "", "BS1 #AA"),
        ("Birmingham", "", "B1 #AA"),
        ("Glasgow", "", "G2 #AA"),
        ("Edinburgh", "", "EH1 #AA"),
        ("Cardiff", "", "CF10 #AA"),
        ("Nottingham", "", "NG1 #AA"),
        ("Reading", "", "RG1 #AA"),
        ("Cambridge", "", "CB2 #AA"),
    ),
    "IE": (
        ("Dublin 2", "", "D02 A###"),
        ("Cork", "", "T12 A###"),
        ("Galway", "", "H91 A###"),
        ("Limerick", "", "V94 A###"),
    ),
    "DE": (
        ("Berlin", "", "10###"),
        ("Hamburg", "", "20###"),
        ("München", "", "80###"),
        ("Köln", "", "50###"),
        ("Frankfurt am Main", "", "60###"),
        ("Stuttgart", "", "70###"),
        ("Düsseldorf", "", "40###"),
        ("Leipzig", "", "04###"),
        ("Hannover", "", "30###"),
        ("Nürnberg", "", "90###"),
        ("Bremen", "", "28###"),
        ("Dresden", "", "01###"),
        ("Freiburg im Breisgau", "", "79###"),
        ("Münster", "", "48###"),
        ("Augsburg", "", "86###"),
        ("Kassel", "", "34###"),
    ),
    "AT": (
        ("Wien", "", "1###"),
        ("Graz", "", "8###"),
        ("Linz", "", "4###"),
        ("Salzburg", "", "5###"),
        ("Innsbruck", "", "6###"),
    ),
    "CH": (
        ("Zürich", "", "80##"),
        ("Bern", "", "30##"),
        ("Basel", "", "40##"),
        ("Luzern", "", "60##"),
        ("St. Gallen", "", "90##"),
        ("Winterthur", "", "84##"),
    ),
    "FR": (
        ("Paris", "", "750##"),
        ("Lyon", "", "6900#"),
        ("Marseille", "", "130##"),
        ("Toulouse", "", "31###"),
        ("Nantes", "", "44###"),
        ("Bordeaux", "", "33###"),
        ("Lille", "", "59###"),
        ("Strasbourg", "", "67###"),
        ("Rennes", "", "35###"),
        ("Nice", "", "06###"),
        ("Montpellier", "", "34###"),
        ("Grenoble", "", "38###"),
        ("Dijon", "", "21###"),
        ("Tours", "", "37###"),
    ),
    "BE": (
        ("Bruxelles", "", "1###"),
        ("Liège", "", "4###"),
        ("Namur", "", "5###"),
        ("Charleroi", "", "6###"),
        ("Antwerpen", "", "2###"),
        ("Gent", "", "9###"),
    ),
    "ES": (
        ("Madrid", "", "280##"),
        ("Barcelona", "", "080##"),
        ("Valencia", "", "460##"),
        ("Sevilla", "", "410##"),
        ("Zaragoza", "", "500##"),
        ("Málaga", "", "290##"),
        ("Bilbao", "", "480##"),
        ("Alicante", "", "030##"),
        ("Valladolid", "", "470##"),
        ("Murcia", "", "300##"),
        ("A Coruña", "", "150##"),
        ("Granada", "", "180##"),
    ),
    "NL": (
        ("Amsterdam", "", "10## AA"),
        ("Rotterdam", "", "30## AA"),
        ("Utrecht", "", "35## AA"),
        ("Den Haag", "", "25## AA"),
        ("Eindhoven", "", "56## AA"),
        ("Groningen", "", "97## AA"),
        ("Tilburg", "", "50## AA"),
        ("Almere", "", "13## AA"),
        ("Breda", "", "48## AA"),
        ("Nijmegen", "", "65## AA"),
        ("Zwolle", "", "80## AA"),
        ("Haarlem", "", "20## AA"),
    ),
    "IT": (
        ("Milano", "MI", "201##"),
        ("Roma", "RM", "001##"),
        ("Torino", "TO", "101##"),
        ("Bologna", "BO", "401##"),
        ("Firenze", "FI", "501##"),
        ("Napoli", "NA", "801##"),
        ("Verona", "VR", "371##"),
        ("Padova", "PD", "351##"),
        ("Bergamo", "BG", "241##"),
        ("Genova", "GE", "161##"),
        ("Brescia", "BS", "251##"),
        ("Bari", "BA", "701##"),
    ),
    "SE": (("Stockholm", "", "11# ##"), ("Göteborg", "", "41# ##"), ("Malmö", "", "21# ##"), ("Uppsala", "", "75# ##")),
    "DK": (("København K", "", "1###"), ("Aarhus C", "", "8000"), ("Odense C", "", "5000"), ("Aalborg", "", "9000")),
    "PL": (
        ("Warszawa", "", "00-###"),
        ("Kraków", "", "30-###"),
        ("Wrocław", "", "50-###"),
        ("Poznań", "", "60-###"),
        ("Gdańsk", "", "80-###"),
    ),
    "JP": (
        ("Tokyo", "", "1##-####"),
        ("Osaka", "", "5##-####"),
        ("Yokohama", "", "22#-####"),
        ("Nagoya", "", "45#-####"),
    ),
}

STREETS = {
    "en": (
        (
            "Main",
            "Oak",
            "Maple",
            "Park",
            "Cedar",
            "Elm",
            "Washington",
            "Lake",
            "Hill",
            "Church",
            "Mill",
            "River",
            "Market",
            "Station",
            "King",
            "Queen",
            "Victoria",
            "High",
            "Bridge",
            "Industrial",
            "Commerce",
            "Harbour",
            "Orchard",
            "Pine",
        ),
        (
            "Street",
            "Avenue",
            "Road",
            "Lane",
            "Drive",
            "Boulevard",
            "Way",
            "Court",
            "Place",
            "Parkway",
            "Close",
            "Crescent",
        ),
    ),
    "de": (
        (
            "Haupt",
            "Bahnhof",
            "Linden",
            "Garten",
            "Schiller",
            "Goethe",
            "Berliner ",
            "Industrie",
            "Kirch",
            "Mühlen",
            "Wald",
            "Rosen",
            "Friedrich-Ebert-",
            "Kaiser",
            "Markt",
            "Hafen",
            "Schul",
            "Birken",
            "Lessing",
            "Gewerbe",
            "Am Sand",
            "Post",
        ),
        ("straße", "str.", "weg", "allee", "platz", "ring", "gasse", "damm"),
    ),
    "fr": (
        ("rue", "avenue", "boulevard", "allée", "impasse", "place", "chemin", "quai", "route"),
        (
            "de la République",
            "Victor Hugo",
            "des Lilas",
            "Jean Jaurès",
            "du Général Leclerc",
            "de Paris",
            "Pasteur",
            "des Acacias",
            "de la Gare",
            "Gambetta",
            "du Commerce",
            "Émile Zola",
            "des Écoles",
            "de Verdun",
            "du Port",
            "Saint-Michel",
            "des Tanneurs",
            "Voltaire",
        ),
    ),
    "es": (
        ("Calle", "C/", "Avenida", "Avda.", "Paseo", "Plaza", "Carrer", "Ronda", "Camino"),
        (
            "Mayor",
            "de Alcalá",
            "Gran Vía",
            "de la Constitución",
            "del Sol",
            "de Serrano",
            "de Colón",
            "Real",
            "de Goya",
            "del Mar",
            "de Andalucía",
            "San Vicente",
            "de la Castellana",
            "de Aragón",
            "Nueva",
            "de los Reyes Católicos",
        ),
    ),
    "nl": (
        (
            "Kerk",
            "Dorps",
            "Molen",
            "School",
            "Stations",
            "Hoofd",
            "Industrie",
            "Prinsen",
            "Keizers",
            "Wilhelmina",
            "Beatrix",
            "Linden",
            "Eiken",
            "Haven",
            "Markt",
            "Nieuwe",
            "Oude",
            "Zuid",
            "Noord",
            "Vaart",
        ),
        ("straat", "weg", "laan", "plein", "gracht", "kade", "singel", "dijk", "steeg"),
    ),
    "it": (
        ("Via", "Viale", "Piazza", "Corso", "Via", "Largo", "Vicolo"),
        (
            "Roma",
            "Garibaldi",
            "Mazzini",
            "Verdi",
            "Dante Alighieri",
            "Marconi",
            "Cavour",
            "XX Settembre",
            "Matteotti",
            "della Repubblica",
            "Vittorio Emanuele II",
            "dei Mille",
            "Manzoni",
            "San Francesco",
            "dell'Industria",
            "Volta",
        ),
    ),
}
PL_STREETS = ("ul. Długa", "ul. Marszałkowska", "ul. Piękna", "ul. Słoneczna", "al. Jerozolimskie", "ul. Kwiatowa")
JP_STREETS = (
    "Chiyoda-ku, Marunouchi",
    "Minato-ku, Shiba",
    "Chuo-ku, Nihonbashi",
    "Shibuya-ku, Jingumae",
    "Kita-ku, Umeda",
)
SE_STREETS = ("Storgatan", "Drottninggatan", "Kungsgatan", "Sveavägen", "Industrivägen", "Hamngatan")
DK_STREETS = ("Vesterbrogade", "Nørregade", "Strandvejen", "Østergade", "Industrivej", "Havnegade")


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    address_lines: tuple[str, ...]  # street lines, city line, optional country line
    country: str
    tax_id: str | None = None  # compact form for truth
    tax_id_display: str | None = None  # as printed
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    website: str | None = None
    contact: str | None = None  # a person's name (attention line)

    @property
    def address_one_line(self) -> str:
        return ", ".join(self.address_lines)


def _fill(rng: random.Random, pattern: str) -> str:
    out = []
    for c in pattern:
        if c == "#":
            out.append(rng.choice("0123456789"))
        elif c == "A":
            out.append(rng.choice("ABDEFGHJLNPQRSTUWXYZ"))
        else:
            out.append(c)
    return "".join(out)


def person_name(rng: random.Random, country: str) -> str:
    return f"{rng.choice(FIRST.get(country, FIRST['US']))} {rng.choice(SURNAMES.get(country, SURNAMES['US']))}"


def company_name(rng: random.Random, country: str) -> str:
    lang = LANG_OF[country]
    sur = SURNAMES.get(country, SURNAMES["US"])
    words = WORDS[lang]
    trades = TRADES[lang]
    legal = rng.choice(LEGAL[country])
    shape = rng.randrange(8)
    if shape == 0:
        base = f"{rng.choice(words)} {rng.choice(trades)}"
    elif shape == 1:
        a, b = rng.sample(sur, 2)
        base = f"{a} & {b}" if lang != "nl" else f"{a} & {b}".replace("de ", "De ", 1)
    elif shape == 2:
        s = rng.choice(sur)
        base = {
            "de": f"{s} {rng.choice(trades)}",
            "fr": f"{rng.choice(trades)} {s}",
            "es": f"{rng.choice(trades)} {s}",
            "it": f"{rng.choice(trades)} {s}",
            "nl": f"{s} {rng.choice(trades)}",
        }.get(lang, f"{s} {rng.choice(trades)}")
    elif shape == 3:
        base = f"{rng.choice(words)}"
        base += {
            "en": rng.choice((" Group", " Partners", " Trading", " Holdings", "")),
            "de": rng.choice((" Gruppe", "", " Handel")),
            "fr": rng.choice((" Groupe", "", " Distribution")),
            "es": rng.choice((" Grupo", "", " Global")),
            "nl": rng.choice((" Groep", "", " Handel")),
            "it": rng.choice((" Group", "", " Italia")),
        }[lang]
    elif shape == 4:
        s = rng.choice(sur)
        base = {
            "de": f"{s} & Söhne",
            "fr": f"{s} et Fils",
            "es": f"{s} Hermanos",
            "it": f"F.lli {s}",
            "nl": f"{s} en Zonen",
            "en": f"{s} & Sons",
        }[lang]
    elif shape == 5:
        letters = "".join(rng.choice("ABCDEFGHKLMNPRSTVW") for _ in range(rng.choice((2, 3))))
        base = f"{letters} {rng.choice(trades)}"
    elif shape == 6:
        w1, w2 = rng.sample(words, 2)
        base = f"{w1}{w2.lower()}" if lang in ("de", "nl") and " " not in w1 + w2 else f"{w1} {rng.choice(trades)}"
    else:
        base = f"{rng.choice(sur)} {rng.choice(trades)}"
    if country == "DE" and legal == "e.K.":
        base = f"{person_name(rng, country)} {rng.choice(trades)}"
    return f"{base} {legal}".strip()


def street_line(rng: random.Random, country: str) -> list[str]:
    lang = LANG_OF[country]
    n = rng.randint(1, 180)
    if country == "PL":
        return [f"{rng.choice(PL_STREETS)} {n}"]
    if country == "JP":
        return [f"{rng.randint(1, 9)}-{rng.randint(1, 20)}-{rng.randint(1, 30)} {rng.choice(JP_STREETS)}"]
    if country == "SE":
        return [f"{rng.choice(SE_STREETS)} {n}"]
    if country == "DK":
        return [f"{rng.choice(DK_STREETS)} {n}"]
    if lang == "en":
        a, b = STREETS["en"]
        line = f"{rng.randint(1, 9999) if country in ('US', 'CA', 'AU') else n} {rng.choice(a)} {rng.choice(b)}"
        lines = [line]
        if rng.random() < 0.3:
            lines.insert(
                0 if country == "GB" and rng.random() < 0.5 else 1,
                rng.choice(
                    (
                        f"Suite {rng.randint(100, 950)}",
                        f"Unit {rng.randint(1, 40)}",
                        f"Floor {rng.randint(2, 30)}",
                        f"{rng.choice(('Kings', 'Regent', 'Albion', 'Victoria', 'Enterprise'))} House",
                    )
                ),
            )
        return lines
    if lang == "de":
        a, b = STREETS["de"]
        first = rng.choice(a)
        if first.endswith(" ") or first == "Am Sand":
            name = first.strip() if first == "Am Sand" else f"{first}{rng.choice(('Straße', 'Allee', 'Platz'))}"
        else:
            name = f"{first}{rng.choice(b)}"
        if first.endswith("-"):
            name = f"{first}{rng.choice(('Straße', 'Platz', 'Ring'))}"
        return [f"{name} {n}{rng.choice(('', '', '', 'a', 'b'))}"]
    if lang == "fr":
        kind, name = STREETS["fr"]
        return [f"{n}{rng.choice(('', '', '', ' bis'))} {rng.choice(kind)} {rng.choice(name)}"]
    if lang == "es":
        kind, name = STREETS["es"]
        extra = rng.choice(("", "", f", {rng.randint(1, 8)}º {rng.choice('ABCD')}", f", local {rng.randint(1, 9)}"))
        return [f"{rng.choice(kind)} {rng.choice(name)}, {n}{extra}"]
    if lang == "nl":
        a, b = STREETS["nl"]
        return [f"{rng.choice(a)}{rng.choice(b)} {n}{rng.choice(('', '', '', '-A', ' bis', 'a'))}"]
    if lang == "it":
        kind, name = STREETS["it"]
        return [f"{rng.choice(kind)} {rng.choice(name)}, {n}"]
    raise ValueError(country)


def address(rng: random.Random, country: str, *, with_country: bool, doc_lang: str) -> tuple[str, ...]:
    lines = street_line(rng, country)
    city, region, pattern = rng.choice(CITIES[country])
    pc = _fill(rng, pattern)
    if country == "US":
        city_line = f"{city}, {region} {pc}" + (f"-{rng.randint(1000, 9999)}" if rng.random() < 0.2 else "")
    elif country in ("CA", "AU"):
        city_line = f"{city} {region} {pc}" if country == "AU" else f"{city}, {region} {pc}"
    elif country == "GB":
        city_line = f"{city} {pc}" if rng.random() < 0.5 else city
        if city_line == city:
            lines = [*lines, city]
            city_line = pc
    elif country == "IE":
        city_line = f"{city}, {pc}"
    elif country == "IT":
        city_line = f"{pc} {city} ({region})"
    elif country == "JP":
        city_line = f"{city} {pc}"
    else:
        city_line = f"{pc} {city}"
    out = [*lines, city_line]
    if with_country:
        names = COUNTRY_NAMES.get(doc_lang, COUNTRY_NAMES["en"])
        out.append(names.get(country, COUNTRY_NAMES["en"][country]))
    return tuple(out)


def phone(rng: random.Random, country: str) -> str:
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    return {
        "US": lambda: f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{d(4)}",
        "CA": lambda: f"({rng.randint(204, 905)}) {rng.randint(200, 999)}-{d(4)}",
        "GB": lambda: rng.choice((f"020 {d(4)} {d(4)}", f"0161 {d(3)} {d(4)}", f"+44 (0)1{d(2)} {d(3)} {d(4)}")),
        "IE": lambda: f"+353 1 {d(3)} {d(4)}",
        "AU": lambda: f"(02) {d(4)} {d(4)}",
        "DE": lambda: rng.choice(
            (
                f"+49 {rng.randint(30, 911)} {d(6)}",
                f"0{rng.randint(30, 911)} / {d(3)} {d(2)}-{d(2)}",
                f"0{rng.randint(30, 911)} {d(7)}",
            )
        ),
        "AT": lambda: f"+43 1 {d(3)} {d(2)} {d(2)}",
        "CH": lambda: f"+41 44 {d(3)} {d(2)} {d(2)}",
        "FR": lambda: (
            f"0{rng.randint(1, 5)} {d(2)} {d(2)} {d(2)} {d(2)}"
            if rng.random() < 0.7
            else f"+33 {rng.randint(1, 5)} {d(2)} {d(2)} {d(2)} {d(2)}"
        ),
        "BE": lambda: f"+32 2 {d(3)} {d(2)} {d(2)}",
        "ES": lambda: f"9{d(2)} {d(3)} {d(3)}" if rng.random() < 0.6 else f"+34 9{d(2)} {d(2)} {d(2)} {d(2)}",
        "NL": lambda: (
            f"0{rng.randint(10, 79)}-{d(7)}" if rng.random() < 0.6 else f"+31 (0){rng.randint(10, 79)} {d(3)} {d(4)}"
        ),
        "IT": lambda: (
            f"0{rng.randint(2, 99)} {d(7)}" if rng.random() < 0.6 else f"+39 0{rng.randint(2, 99)} {d(3)} {d(4)}"
        ),
        "SE": lambda: f"+46 8 {d(3)} {d(2)} {d(2)}",
        "DK": lambda: f"+45 {d(2)} {d(2)} {d(2)} {d(2)}",
        "PL": lambda: f"+48 22 {d(3)} {d(2)} {d(2)}",
        "JP": lambda: f"+81 3-{d(4)}-{d(4)}",
    }[country]()


_TLD = {
    "US": "com",
    "CA": "ca",
    "GB": "co.uk",
    "IE": "ie",
    "AU": "com.au",
    "DE": "de",
    "AT": "at",
    "CH": "ch",
    "FR": "fr",
    "BE": "be",
    "ES": "es",
    "NL": "nl",
    "IT": "it",
    "SE": "se",
    "DK": "dk",
    "PL": "pl",
    "JP": "co.jp",
}


def _slug(name: str) -> str:
    import unicodedata

    base = name
    for legal in sorted({x for v in LEGAL.values() for x in v}, key=len, reverse=True):
        if base.endswith(" " + legal):
            base = base[: -len(legal) - 1]
            break
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().lower()
    parts = [
        p
        for p in "".join(c if c.isalnum() else " " for c in base).split()
        if p not in ("and", "et", "und", "en", "y", "e")
    ]
    return "-".join(parts[:3]) if len(parts) > 1 and len("".join(parts)) > 18 else "".join(parts[:3])


def make_party(
    rng: random.Random,
    country: str,
    *,
    doc_lang: str,
    with_country: bool,
    business: bool = True,
    tax_id: str | None = None,
    tax_id_display: str | None = None,
) -> Party:
    name = company_name(rng, country) if business else person_name(rng, country)
    domain = f"{_slug(name)}.{_TLD[country]}"
    return Party(
        name=name,
        address_lines=address(rng, country, with_country=with_country, doc_lang=doc_lang),
        country=country,
        tax_id=tax_id,
        tax_id_display=tax_id_display or tax_id,
        phone=phone(rng, country),
        fax=phone(rng, country) if rng.random() < 0.25 else None,
        email=f"{rng.choice(('info', 'billing', 'accounts', 'invoices', 'office', 'sales', 'contact', 'ar'))}@{domain}",
        website=f"www.{domain}",
        contact=person_name(rng, country) if rng.random() < 0.6 else None,
    )
