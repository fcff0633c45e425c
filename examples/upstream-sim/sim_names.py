"""Names for the simulated upstream: managers, funds and the assets they hold.

Invented names that read like a Brazilian fund administrator's books; no real company is meant.
"""

MANAGER_STEMS = (
    "Aurora", "Baobá", "Cerrado", "Delta Sul", "Esteio", "Farol", "Guará", "Horizonte Azul",
    "Ipê", "Jatobá", "Kairós", "Lumiar", "Maré Alta", "Norte Firme", "Oriente", "Pampa",
    "Quaresma", "Rio Claro", "Serra Verde", "Tamandaré", "Umuarama", "Vale Alto", "Xingu",
    "Zênite", "Araucária", "Bonança", "Carpe", "Dourado", "Encosta", "Figueira",
)
MANAGER_SUFFIXES = ("Gestão de Recursos", "Capital", "Investimentos", "Asset Management",
                    "Gestora", "Partners")

# Words of a fund's name by regulatory class, and the name's legal ending.
CLASS_THEMES = {
    "MULTIMERCADO": ("Macro", "Estratégia", "Long Short", "Juros e Moedas", "Global Macro",
                     "Arbitragem"),
    "ACOES": ("Dividendos", "Valor", "Small Caps", "Brasil", "Infraestrutura", "Crescimento"),
    "RENDA_FIXA": ("Crédito Privado", "Inflação", "Referenciado DI", "Soberano", "Curto Prazo",
                   "Debêntures Incentivadas"),
    "CAMBIAL": ("Dólar", "Euro", "Hedge Cambial"),
    "FIDC": ("Recebíveis Comerciais", "Crédito Consignado", "Duplicatas", "Agronegócio"),
    "FII": ("Lajes Corporativas", "Logística", "Recebíveis Imobiliários", "Shoppings"),
}
CLASS_ENDINGS = {
    "MULTIMERCADO": "FIC FIM", "ACOES": "FIA", "RENDA_FIXA": "FIRF", "CAMBIAL": "FI Cambial",
    "FIDC": "FIDC", "FII": "FII",
}

# (asset type code, description) of every code the positions use: the dimension table.
ASSET_TYPES = {
    "TPF": "Título público federal",
    "ACAO": "Ação negociada em bolsa",
    "DEB": "Debênture",
    "CDB": "Certificado de depósito bancário",
    "COMP": "Operação compromissada",
    "OPC_BALCAO": "Opção de balcão (OTC)",
    "SWAP": "Swap de balcão (OTC)",
    "COTA_EXT": "Cota de fundo de investimento no exterior",
    "BDR": "Brazilian Depositary Receipt / ativo no exterior",
}

# Cash-like and listed holdings: (nickname, asset type, ISIN or "", unit price in cents).
HOLDINGS = (
    ("LTN 01/01/2028", "TPF", "BRSTNCLTN7Z8", 84512),
    ("NTN-B 15/05/2035", "TPF", "BRSTNCNTB4U6", 431077),
    ("LFT 01/03/2029", "TPF", "BRSTNCLF1RD2", 1597210),
    ("NTN-F 01/01/2031", "TPF", "BRSTNCNTF1Q6", 95533),
    ("PETR4 Petrobras PN", "ACAO", "BRPETRACNPR6", 3742),
    ("VALE3 Vale ON", "ACAO", "BRVALEACNOR0", 6018),
    ("ITUB4 Itaú Unibanco PN", "ACAO", "BRITUBACNPR1", 3455),
    ("WEGE3 WEG ON", "ACAO", "BRWEGEACNOR0", 4190),
    ("Debênture Energia Sul 2029", "DEB", "BRENSLDBS024", 104350),
    ("CDB Banco Meridional 2027", "CDB", "", 112876),
    ("Compromissada over NTN-B", "COMP", "", 100000),
)
# OTC risk factors: (asset class, what the trade is on, option underlying in cents).
OTC_UNDERLYINGS = {
    "IR": ("DI x Pré", 100000),
    "FX": ("USD/BRL", 548),
    "CREDIT": ("CDS Brasil 5a", 100000),
    "EQUITY": ("Ibovespa", 12850000),
    "COMMODITY": ("Petróleo Brent", 42100),
}
OFFSHORE_FUNDS = ("Global Macro Master Fund Ltd", "World Equity Opportunities SICAV",
                  "US Treasury Short Duration Fund", "Emerging Markets Credit Fund LP",
                  "Asia Pacific Growth Fund")
FOREIGN_ASSETS = ("BDR Apple (AAPL34)", "iShares MSCI World ETF", "BDR Microsoft (MSFT34)")

METHODOLOGIES = (
    "Historical VaR 99%, 10 days, 2 years of scenarios",
    "Parametric VaR 99%, 10 days, EWMA volatilities",
    "Exchange margin model (CORE) applied to the OTC book",
    "Stressed VaR 99%, 10 days, 2008 window",
    "Monte Carlo VaR 99%, 10 days, 10,000 paths",
)
