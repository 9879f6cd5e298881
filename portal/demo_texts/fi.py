# SPDX-License-Identifier: AGPL-3.0-or-later
"""Suomi: the demo's pages and database rows (informal sinä, terms from locale/fi)."""

from __future__ import annotations

MONTHS = {
    "nom": ["tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
            "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu"],
    "gen": ["tammikuun", "helmikuun", "maaliskuun", "huhtikuun", "toukokuun", "kesäkuun",
            "heinäkuun", "elokuun", "syyskuun", "lokakuun", "marraskuun", "joulukuun"],
    "ine": ["tammikuussa", "helmikuussa", "maaliskuussa", "huhtikuussa", "toukokuussa",
            "kesäkuussa", "heinäkuussa", "elokuussa", "syyskuussa", "lokakuussa",
            "marraskuussa", "joulukuussa"],
}  # fmt: skip


def announcement(month: int) -> dict:
    nom, gen, ine = (MONTHS[form][month - 1] for form in ("nom", "gen", "ine"))
    return {
        "title": f"{gen.capitalize()} parhaat suosittelijat",
        "summary": f"{nom.capitalize()} oli tähänastisista kuukausistamme paras. Tässä ovat ihmiset, jotka tekivät sen mahdolliseksi.",
        "body": (
            f"<p>Kiitos kaikille, jotka suosittelivat {ine}. Kolme parasta saavat kukin "
            "illallisen kahdelle, ja jokainen kvalifioitu suosittelu lasketaan mukaan "
            "Q4-kirikilpailuun.</p>"
        ),
    }


PAGES = {
    "home": {
        "title": "Vouch",
        "headline": "Tiedätkö jonkun, joka tarvitsee meitä? Suosittele häntä.",
        "call_to_action": "Suosittele jotakuta",
        "intro": (
            "<p>Vouch on tapamme kiittää ihmisiä, jotka tuntevat meidät parhaiten. Kun esittelet "
            "meille yrityksen, joka voisi hyötyä palveluistamme, tiimimme ottaa yhteyttä kahden "
            "arkipäivän kuluessa, voit seurata jokaista vaihetta ja ansaitset pisteitä, tasoja, "
            "palkintoja ja – kumppanina – palkkioita.</p>"
        ),
    },
    "program": {
        "title": "Asiakassuosittelut",
        "search_description": "Miten suosittelu toimii, mitä sillä ansaitsee ja mitkä tasot ovat.",
        "intro": (
            "<p>Esittele meille yrityksiä, jotka voisivat hyötyä alustastamme. Ihminen tarkastaa "
            "jokaisen suosittelun, ja jokainen vaihe näkyy suosittelusi aikajanalla.</p>"
        ),
        "rules": (
            "<h2>Kuka voi suositella</h2><p>Jokainen työntekijä ja jokainen sellaisen "
            "kumppaniorganisaation käyttäjä, joka on hyväksynyt kumppanisopimuksen. Suosittele "
            "yrityksiä, älä ystävien omia projekteja: asiakasehdokkaan on oltava yritys, joka "
            "voisi ostaa meiltä.</p>"
            "<h2>Millainen on hyvä suosittelu</h2><ul><li>Tunnet yrityksestä oikean ihmisen, ja "
            "hän odottaa yhteydenottoamme.</li><li>Kerrot lauseella tai kahdella, mitä hän "
            "tarvitsee.</li><li>Yritys ei ole jo asiakkaamme eikä neuvottele myyntitiimimme "
            "kanssa.</li></ul>"
            "<h2>Kuka saa ansion</h2><p>Yrityksen ensimmäinen suosittelija pitää sen koko "
            "kohdistusajan (tässä ohjelmassa 90 päivää lähettämisestä). Jos kaksi henkilöä "
            "suosittelee samaa yritystä, aikaisin lähetys voittaa; tarkastajat perustelevat "
            "jokaisen päätöksen suosittelun aikajanalla.</p>"
            "<h2>Pisteet ja tasot</h2><p>Pisteet määräytyvät ohjelman omista asetuksista, jotka "
            "näet alla. Tasosi seuraa viimeisten kahdentoista kuukauden aikana ansaitsemiasi "
            "pisteitä, joten se voi laskea yhtä hyvin kuin nousta. Palkintoihin käyttämäsi "
            "pisteet eivät koskaan laske tasoasi.</p>"
        ),
        "cta_heading": "Valmiina, kun sinä olet",
        "cta_text": "Suosittelu vie noin minuutin. Voit myös jakaa oman suosittelulinkkisi.",
        "cta_button": "Suosittele jotakuta",
    },
    "partner_program": {
        "title": "Kumppanien kauppojen rekisteröinti",
        "search_description": "Rekisteröi kaupat, ansaitse palkkioita ja saa tilitys kuukausittain.",
        "intro": (
            "<p>Jälleenmyyjillemme, toimistoille ja konsulteille: rekisteröi tuomasi kaupat ja "
            "ansaitse palkkio jokaisesta, jonka voitamme yhdessä.</p>"
        ),
        "rules": (
            "<h2>Rekisteröi jokainen tuomasi kauppa</h2><p>Rekisteröinti suojaa kaupan 180 "
            "päiväksi: jos asiakas allekirjoittaa sen aikana, palkkio on sinun. Rekisteröi ennen "
            "ensimmäistä tapaamistasi kanssamme, niin voimme suunnitella työn yhdessä.</p>"
            "<h2>Palkkiot</h2><p>Palkkio syntyy, kun suosittelu kvalifioidaan tai kauppa "
            "voitetaan. Sitä pidätetään 30 päivää (hyvityksiä ja takaisinveloituksia sattuu), "
            "minkä jälkeen se hyväksytään ja maksetaan seuraavassa kuukausittaisessa maksuerässä. "
            'Korkeammat tasot kasvattavat palkkiota. Voit seurata jokaista euroa kohdassa <a href="/partner/commissions/">Palkkiot</a> '
            "ja ladata kuukausittaiset tiliotteet.</p>"
            "<h2>Ennen ensimmäistä rekisteröintiä</h2><p>Jokainen organisaatiosi jäsen hyväksyy "
            "kumppanisopimuksen kerran ja uudelleen aina, kun julkaisemme uuden version.</p>"
        ),
    },
    "guides": {
        "title": "Oppaat",
        "search_description": "Käytännön neuvoja parempiin suositteluihin.",
        "intro": (
            "<p>Lyhyitä, käytännöllisiä neuvoja ohjelman tiimiltä ja parhailta "
            "suosittelijoiltamme.</p>"
        ),
    },
    "good_referrals": {
        "title": "Näin teet suosittelun, joka kvalifioidaan",
        "summary": "Kolme tapaa, joilla parhaiden suosittelijoiden esittelyt muuttuvat kaupoiksi.",
        "body": (
            "<p>Useimmat tyhjään raukeavat suosittelut kaatuvat samaan kolmeen syyhyn: "
            "asiakasehdokas ei tiennyt, että soitamme, emme saaneet selville, mitä hän tarvitsi, "
            "tai hän oli jo yhteydessä meihin. Näin vältät ne kaikki.</p>"
            "<h2>1. Kysy ensin</h2><p>Kerro henkilölle, että esittelet hänet, ja miksi. Kahden "
            "rivin viesti riittää: <em>”Kerroin Vouchille varastoprojektistanne; heidän "
            "tiiminsä Maria soittaa sinulle tällä viikolla.”</em></p>"
            "<h2>2. Kerro, mitä hän tarvitsee</h2><p>Tiimimme lukee ensimmäisenä kentän ”Mitä "
            "hän tarvitsee?”. Mainitse ongelma, suuruusluokka ja mahdollinen määräaika.</p>"
            "<h2>3. Käytä hänen työosoitettaan</h2><p>Yhdistämme suosittelut sähköpostin, "
            "puhelinnumeron ja yrityksen verkkotunnuksen perusteella. Työosoitteen ansiosta "
            "huomaamme kaksoiskappaleet heti, ja saat ansion ilman käsin tehtävää tarkistusta.</p>"
        ),
        "quote": "Lähetän rivin ennen jokaista suosittelua. Lähes kaikki suositteluni kvalifioidaan.",
        "attribution": "Emma, lokakuun paras suosittelija",
        "cta_heading": "Onko sinulla joku mielessä?",
        "cta_text": "Lomakkeessa kysytään nimeä, työsähköpostia ja yhtä lausetta tarpeesta.",
        "cta_button": "Suosittele jotakuta",
    },
    "referral_link": {
        "title": "Oman suosittelulinkin jakaminen",
        "summary": "Anna asiakasehdokkaiden ottaa yhteyttä itse – ja saat silti ansion.",
        "body": (
            "<p>Oman suosittelulinkkisi avulla asiakasehdokas voi ottaa meihin yhteyttä itse. "
            "Jokainen linkin käyttäjä kirjataan sinulle, aivan kuin olisit täyttänyt lomakkeen. "
            "Lisää linkki sähköpostiallekirjoitukseesi, jaa se konferenssin jälkeen tai tulosta "
            "QR-koodi.</p>"
            "<h2>Mitä asiakasehdokas näkee</h2><p>Lyhyen sivun, jossa on nimesi, kuvaus "
            "palveluistamme ja lomake hänen omille tiedoilleen ja suostumukselleen. Emme koskaan "
            "näytä hänelle pisteitäsi tai palkintojasi.</p>"
        ),
        "share": "Tässä on oma linkkisi valmiina jaettavaksi:",
        "standing": (
            "<h2>Missä mennään</h2><p>Linkkisi kautta tulleet suosittelut lasketaan "
            "tulostauluille kuten muutkin. Tässä kuussa tähän mennessä:</p>"
        ),
        "board_title": "Tämän kuun parhaat suosittelijat",
    },
    "faq": {
        "title": "Kysymyksiä ja vastauksia",
        "search_description": "Ansiot, pisteet, tasot, palkkiot ja tietosuoja.",
        "intro": (
            "<p>Etkö löydä vastausta? Kirjoita ohjelman tiimille osoitteeseen "
            "referrals@demo.vouch.test.</p>"
        ),
        "questions": [
            (
                "Kuka voi osallistua?",
                "<p>Jokainen työntekijä ensimmäisestä työpäivästään alkaen sekä "
                "kumppaniorganisaatioidemme käyttäjät. Kumppanit hyväksyvät kumppanisopimuksen "
                "ennen ensimmäistä suositteluaan.</p>",
            ),
            (
                "Kauanko tarkastus kestää?",
                "<p>Tarkastajat käsittelevät uudet suosittelut kahden arkipäivän kuluessa. Saat "
                "ilmoituksen jokaisesta muutoksesta, ja suosittelun sivulla näkyy koko "
                "aikajana.</p>",
            ),
            (
                "Joku muu suositteli samaa yritystä. Kuka saa ansion?",
                "<p>Kohdistusajan sisällä aikaisin tehty lähetys. Jos suosittelu on merkitty "
                "mahdolliseksi kaksoiskappaleeksi, tarkastaja vertaa molempia rinnakkain ja "
                "perustelee päätöksensä.</p>",
            ),
            (
                "Milloin saan pisteeni?",
                "<p>Heti: lähettämisestä saat pisteet lähettäessäsi ja lisää, kun suosittelu "
                "kvalifioidaan ja kun kauppa voitetaan. Jos suosittelu hylätään tai kauppa "
                "perutaan, nämä pisteet otetaan takaisin.</p>",
            ),
            (
                "Miten tasot toimivat?",
                "<p>Tasosi seuraa viimeisten kahdentoista kuukauden aikana ansaitsemiasi "
                "pisteitä. Pisteiden käyttäminen palkintoihin ei koskaan laske sitä. Tasotaulukko "
                "on ohjelman sivulla.</p>",
            ),
            (
                "Milloin kumppanien palkkiot maksetaan?",
                "<p>30 päivän pidätysajan jälkeen palkkiot hyväksytään ja sisällytetään "
                "seuraavaan kuukausittaiseen maksuerään, kun ne ylittävät 50 euron minimin. "
                "Tiliotteet löytyvät kohdasta Palkkiot.</p>",
            ),
            (
                "Voinko näkyä tulostauluilla pelkillä nimikirjaimillani?",
                "<p>Kyllä. Valitse se kohdassa Asetukset; siitä lähtien jokainen tulostaulu "
                "näyttää nimikirjaimesi.</p>",
            ),
            (
                "Mitä lähettämilleni yhteystiedoille tapahtuu?",
                "<p>Niitä näkevät vain sinä, organisaatiosi kumppanin pääkäyttäjä ja ohjelman "
                "tarkastajat. Ne anonymisoidaan, kun suosittelu on ollut suljettuna säilytysajan "
                "verran.</p>",
            ),
        ],
    },
    "catalog": {
        "title": "Palkintoluettelo",
        "search_description": "Mitä pisteilläsi saa.",
        "intro": (
            "<p>Käytä pisteesi lahjakortteihin, elämyksiin, vapaapäivään tai lahjoitukseen "
            "vuosineljänneksen hyväntekeväisyyskohteelle. Osa palkinnoista on varattu "
            "korkeammille tasoille.</p>"
        ),
    },
    "agreement": {
        "title": "Kumppaniohjelman sopimus",
        "terms": (
            "<h2>1. Soveltamisala</h2><p>Tämä sopimus koskee suositteluja ja kauppojen "
            "rekisteröintejä, jotka organisaatiosi (”Kumppani”) lähettää Vouchin kautta, sekä "
            "niistä maksamiamme palkkioita.</p>"
            "<h2>2. Rekisteröinnit</h2><p>Kumppani rekisteröi vain mahdollisuuksia, jotka se on "
            "aidosti tuonut, asiakasehdokkaan tieten. Rekisteröinti suojaa mahdollisuuden "
            "ohjelman kohdistusajan. Voimme hylätä rekisteröinnin, joka koskee nykyistä "
            "asiakasta tai jo myyntiputkessamme olevaa mahdollisuutta, ja kerromme syyn.</p>"
            "<h2>3. Palkkiot</h2><p>Palkkiot määräytyvät portaalissa näkyvän palkkiomallin "
            "mukaan sinä päivänä, jona suosittelu kvalifioidaan tai kauppa voitetaan. Niitä "
            "pidätetään 30 päivää, ja ne maksetaan kuukausittain. Jos kauppa hyvitetään tai "
            "veloitetaan takaisin, palkkio peritään takaisin ja kuitataan myöhempiä ansioita "
            "vastaan.</p>"
            "<h2>4. Tietosuoja</h2><p>Kumppani luovuttaa asiakasehdokkaan yhteystiedot vain "
            "tämän suostumuksella ja pitää ne luottamuksellisina. Käsittelemme niitä "
            "tietosuojaselosteemme mukaisesti ja anonymisoimme ne säilytysajan päättyessä.</p>"
            "<h2>5. Toiminta</h2><p>Ei roskapostia, ei harhaanjohtavia väitteitä tuotteistamme, "
            "ei itsensä suosittelua. Rikkomukset voivat johtaa Kumppanin tilin "
            "jäädyttämiseen.</p>"
            "<h2>6. Muutokset</h2><p>Voimme päivittää tätä sopimusta. Jokainen uusi versio "
            "julkaistaan täällä, ja se on hyväksyttävä ennen seuraavaa rekisteröintiä.</p>"
        ),
    },
    "news": {
        "title": "Uutiset",
        "search_description": "Ohjelman tiimin tiedotteet.",
        "intro": "<p>Voittajat, uudet palkinnot ja ohjelman muutokset.</p>",
    },
}

DB = {
    # programs
    "Customer referrals": "Asiakassuosittelut",
    "Introduce companies that could use our platform. Qualified introductions earn points; won deals earn more, and partners a commission.": "Esittele yrityksiä, jotka voisivat hyötyä alustastamme. Kvalifioidut esittelyt tuovat pisteitä, voitetut kaupat enemmän, ja kumppaneille palkkion.",
    "One platform for the way your team works": "Yksi alusta tiimisi tapaan tehdä töitä",
    "We help growing teams run their operations on one platform. Tell us what you need and a specialist will call you — no obligation.": "Autamme kasvavia tiimejä hoitamaan toimintansa yhdellä alustalla. Kerro, mitä tarvitset, niin asiantuntija soittaa sinulle – ilman sitoumuksia.",
    "Reseller deal registration": "Jälleenmyyjien kauppojen rekisteröinti",
    "Register the deals you bring so they are protected for 180 days.": "Rekisteröi tuomasi kaupat, niin ne ovat suojattuja 180 päivää.",
    "I agree to be contacted about this referral.": "Suostun siihen, että minuun otetaan yhteyttä tämän suosittelun vuoksi.",
    # tiers
    "Bronze": "Pronssi",
    "Silver": "Hopea",
    "Gold": "Kulta",
    "Platinum": "Platina",
    "Welcome to the program.": "Tervetuloa ohjelmaan.",
    "10% higher commissions; access to experiences.": "10 % korkeammat palkkiot; pääsy elämyksiin.",
    "25% higher commissions; premium rewards.": "25 % korkeammat palkkiot; premium-palkinnot.",
    "50% higher commissions; the best rewards.": "50 % korkeammat palkkiot; parhaat palkinnot.",
    # rewards
    "Coffee gift card 10 €": "Kahvilahjakortti 10 €",
    "A thank-you coffee on us.": "Kiitoskahvit meidän piikkiimme.",
    "Vouch hoodie": "Vouch-huppari",
    "Soft, warm, and it says you vouch.": "Pehmeä, lämmin ja kertoo, että sinä suosittelet.",
    "Charity donation 25 €": "Hyväntekeväisyyslahjoitus 25 €",
    "We give to the charity the team picks each quarter.": "Lahjoitamme kohteelle, jonka tiimi valitsee joka vuosineljännes.",
    "Extra day off": "Ylimääräinen vapaapäivä",
    "A day for yourself, agreed with your manager.": "Päivä itsellesi, esihenkilösi kanssa sovittuna.",
    "Dinner for two": "Illallinen kahdelle",
    "At a restaurant of your choice, up to 120 €.": "Valitsemassasi ravintolassa, enintään 120 €.",
    "Spa weekend": "Kylpyläviikonloppu",
    "Two nights for two. Gold tier and above.": "Kaksi yötä kahdelle. Kulta-tasosta ylöspäin.",
    # raffles
    "Autumn raffle": "Syysarvonta",
    "Noise-cancelling headphones": "Vastamelukuulokkeet",
    "Every referral qualified in the last two months is one entry.": "Jokainen kahden viime kuukauden aikana kvalifioitu suosittelu on yksi arpa.",
    "Winter raffle": "Talviarvonta",
    "A weekend in Lapland": "Viikonloppu Lapissa",
    "Qualified referrals enter automatically; you can also buy tickets.": "Kvalifioidut suosittelut osallistuvat automaattisesti; voit myös ostaa arpoja.",
    # contests
    "Q4 referral sprint": "Q4-suosittelukiri",
    "Most qualified referrals before the year ends.": "Eniten kvalifioituja suositteluja ennen vuoden loppua.",
    "Weekend in Lapland\nNoise-cancelling headphones\nCinema tickets for two": "Viikonloppu Lapissa\nVastamelukuulokkeet\nElokuvaliput kahdelle",
    "October points race": "Lokakuun pistekisa",
    "Points earned in October.": "Lokakuussa ansaitut pisteet.",
    "Spa day\nDinner for two": "Kylpyläpäivä\nIllallinen kahdelle",
    # badges
    "First referral": "Ensimmäinen suosittelu",
    "Submit your first referral.": "Lähetä ensimmäinen suosittelusi.",
    "Five qualified": "Viisi kvalifioitua",
    "Have 5 referrals qualified.": "Saa 5 suosittelua kvalifioiduksi.",
    "Ten qualified": "Kymmenen kvalifioitua",
    "Have 10 referrals qualified.": "Saa 10 suosittelua kvalifioiduksi.",
    "First win": "Ensimmäinen voitto",
    "A referral of yours becomes a won deal.": "Suosittelustasi tulee voitettu kauppa.",
    "On a roll": "Vauhdissa",
    "Refer someone every week for 4 weeks in a row.": "Suosittele jotakuta joka viikko neljänä peräkkäisenä viikkona.",
    "Top 3 of the month": "Kuukauden kolmen parhaan joukossa",
    "Finish a month among the top 3 by points.": "Päätä kuukausi pisteillä mitattuna kolmen parhaan joukossa.",
    # contest formats
    "Deal pot": "Kauppapotti",
    "Ten percent of the value of every deal won goes into the pot.": "Kymmenen prosenttia jokaisen voitetun kaupan arvosta menee pottiin.",
    "Points ladder": "Pisteportaat",
    "Everyone who climbs to a step wins its prize.": "Jokainen portaalle noussut voittaa sen palkinnon.",
    "100: 50 points\n300: 150 points\n600: 100 EUR bonus": "100: 50 pistettä\n300: 150 pistettä\n600: 100 EUR bonus",
    "Personal best": "Oma ennätys",
    "Reach your own target of qualified referrals.": "Saavuta oma tavoitteesi hyväksytyissä suositteluissa.",
    "200 points": "200 pistettä",
    "North vs South": "Pohjoinen vastaan etelä",
    "Each team's best three members count.": "Jokaisen tiimin kolme parasta jäsentä lasketaan.",
    "300 points\n100 points": "300 pistettä\n100 pistettä",
    # referral campaign
    "Ask after the win": "Kysy voitetun kaupan jälkeen",
    "Know someone who would like the same?": "Tunnetko jonkun, joka hyötyisi samasta?",
    "A quick favour?": "Pieni palvelus?",
    "Thank you for choosing us! If you know a company wrestling with the same problems, refer them to us — it takes a minute.": "Kiitos, että valitsit meidät! Jos tiedät yrityksen, joka kamppailee samojen asioiden kanssa, suosittele sitä meille – se vie minuutin.",
}
