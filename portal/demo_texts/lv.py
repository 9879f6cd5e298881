# SPDX-License-Identifier: AGPL-3.0-or-later
"""Latviešu: the demo's pages and database rows (formal jūs, terms from locale/lv)."""

from __future__ import annotations

MONTHS = {
    "nom": ["janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs",
            "jūlijs", "augusts", "septembris", "oktobris", "novembris", "decembris"],
    "gen": ["janvāra", "februāra", "marta", "aprīļa", "maija", "jūnija",
            "jūlija", "augusta", "septembra", "oktobra", "novembra", "decembra"],
    "loc": ["janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā",
            "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"],
}  # fmt: skip


def announcement(month: int) -> dict:
    nom, gen, loc = (MONTHS[form][month - 1] for form in ("nom", "gen", "loc"))
    return {
        "title": f"{gen.capitalize()} labākie ieteicēji",
        "summary": f"{nom.capitalize()} līdz šim bija mūsu labākais mēnesis. Lūk, cilvēki, kuri to paveica.",
        "body": (
            f"<p>Paldies visiem, kuri {loc} ieteica kādu. Pirmie trīs katrs saņem vakariņas "
            "divatā, un katrs kvalificētais ieteikums tiek ieskaitīts ceturtā ceturkšņa "
            "sprintā.</p>"
        ),
    }


PAGES = {
    "home": {
        "title": "Vouch",
        "headline": "Pazīstat kādu, kam esam vajadzīgi? Galvojiet par viņu.",
        "call_to_action": "Ieteikt kādu",
        "intro": (
            "<p>Vouch ir mūsu veids, kā pateikties cilvēkiem, kuri mūs pazīst vislabāk. Kad jūs "
            "iepazīstināt mūs ar uzņēmumu, kuram noderētu mūsu pakalpojumi, mūsu komanda "
            "sazinās ar to divu darba dienu laikā, jūs varat sekot katram solim un nopelnāt "
            "punktus, līmeņus, balvas un – partneri – komisijas.</p>"
        ),
    },
    "program": {
        "title": "Klientu ieteikumi",
        "search_description": "Kā darbojas ieteikumi, ko tie dod un kādi ir līmeņi.",
        "intro": (
            "<p>Iepazīstiniet mūs ar uzņēmumiem, kuriem noderētu mūsu platforma. Katru "
            "ieteikumu izskata cilvēks, un katrs solis ir redzams jūsu ieteikuma vēsturē.</p>"
        ),
        "rules": (
            "<h2>Kas var ieteikt</h2><p>Katrs darbinieks un katrs tādas partnerorganizācijas "
            "lietotājs, kura ir pieņēmusi partnera līgumu. Iesakiet uzņēmumus, nevis draugu "
            "personīgos projektus: potenciālajam klientam jābūt uzņēmumam, kas varētu pirkt no "
            "mums.</p>"
            "<h2>Kas ir labs ieteikums</h2><ul><li>Jūs tur pazīstat reālu cilvēku, un viņš gaida "
            "mūsu zvanu.</li><li>Jūs vienā vai divos teikumos pastāstāt, kas viņam "
            "vajadzīgs.</li><li>Uzņēmums vēl nav mūsu klients un nerunā ar mūsu pārdošanas "
            "komandu.</li></ul>"
            "<h2>Kam pienākas nopelns</h2><p>Pirmais uzņēmuma ieteicējs to patur visu piesaistes "
            "periodu (šajā programmā 90 dienas no iesniegšanas). Ja vienu uzņēmumu iesaka divi "
            "cilvēki, uzvar agrākais iesniegums; izskatītāji katru lēmumu pamato ieteikuma "
            "vēsturē.</p>"
            "<h2>Punkti un līmeņi</h2><p>Punktus nosaka programmas iestatījumi, kas redzami "
            "zemāk. Jūsu līmenis atbilst punktiem, kas nopelnīti pēdējos divpadsmit mēnešos, "
            "tāpēc tas var gan celties, gan kristies. Balvām iztērētie punkti nekad "
            "nepazemina jūsu līmeni.</p>"
        ),
        "cta_heading": "Gatavi, kad jūs esat gatavi",
        "cta_text": "Ieteikums aizņem apmēram minūti. Varat arī kopīgot savu personīgo saiti.",
        "cta_button": "Ieteikt kādu",
    },
    "partner_program": {
        "title": "Partneru darījumu reģistrēšana",
        "search_description": "Reģistrējiet darījumus, pelniet komisijas, saņemiet izmaksas katru mēnesi.",
        "intro": (
            "<p>Mūsu tālākpārdevējiem, aģentūrām un konsultantiem: reģistrējiet darījumus, "
            "ko atvedat, un pelniet komisiju par katru, ko iegūstam kopā.</p>"
        ),
        "rules": (
            "<h2>Reģistrējiet katru atvesto darījumu</h2><p>Reģistrācija aizsargā darījumu 180 "
            "dienas: ja klients šajā laikā paraksta līgumu, komisija ir jūsu. Reģistrējiet pirms "
            "pirmās tikšanās ar mums, lai varam kopā plānot darbu.</p>"
            "<h2>Komisijas</h2><p>Komisija rodas, kad ieteikums tiek kvalificēts vai darījums "
            "iegūts, tiek aizturēta 30 dienas (gadās atmaksas un maksājumu atcelšana), pēc tam "
            "apstiprināta un izmaksāta nākamajā mēneša izmaksu paketē. Augstāki līmeņi "
            'palielina komisiju. Katram eiro varat sekot sadaļā <a href="/partner/commissions/">Komisijas</a> '
            "un lejupielādēt mēneša pārskatus.</p>"
            "<h2>Pirms pirmās reģistrācijas</h2><p>Katrs jūsu organizācijas cilvēks vienreiz "
            "pieņem partnera līgumu un atkārtoti – kad publicējam jaunu versiju.</p>"
        ),
    },
    "guides": {
        "title": "Ceļveži",
        "search_description": "Praktiski padomi labākiem ieteikumiem.",
        "intro": (
            "<p>Īsi, praktiski padomi no programmas komandas un mūsu labākajiem ieteicējiem.</p>"
        ),
    },
    "good_referrals": {
        "title": "Kā sagatavot ieteikumu, kas tiek kvalificēts",
        "summary": "Trīs ieradumi, kuru dēļ labāko ieteicēju ieteikumi pārvēršas darījumos.",
        "body": (
            "<p>Lielākā daļa neveiksmīgo ieteikumu izgāžas to pašu trīs iemeslu dēļ: potenciālais "
            "klients nezināja, ka zvanīsim, mēs nespējām saprast, kas viņam vajadzīgs, vai viņš "
            "jau runāja ar mums. Lūk, kā no visiem trim izvairīties.</p>"
            "<h2>1. Vispirms pajautājiet</h2><p>Pastāstiet cilvēkam, ka iesakāt viņu, un kāpēc. "
            "Pietiek ar divu rindiņu ziņu: <em>“Pastāstīju Vouch par jūsu noliktavas projektu; "
            "Marija no viņu komandas jums piezvanīs šonedēļ.”</em></p>"
            "<h2>2. Pasakiet, kas viņam vajadzīgs</h2><p>Lauku “Kas viņam vajadzīgs?” mūsu "
            "komanda izlasa pirmo. Norādiet problēmu, aptuveno apjomu un termiņu, ja tāds "
            "ir.</p>"
            "<h2>3. Izmantojiet darba adresi</h2><p>Ieteikumus salīdzinām pēc e-pasta, tālruņa un "
            "uzņēmuma domēna. Darba adrese ļauj uzreiz pamanīt dublikātus un piešķir jums "
            "nopelnu bez manuālas pārbaudes.</p>"
        ),
        "quote": "Pirms katra ieteikuma aizsūtu vienu rindiņu. Gandrīz visi mani ieteikumi tiek kvalificēti.",
        "attribution": "Emma, oktobra labākā ieteicēja",
        "cta_heading": "Vai jums kāds ir padomā?",
        "cta_text": "Veidlapā jānorāda vārds, darba e-pasts un viens teikums par vajadzību.",
        "cta_button": "Ieteikt kādu",
    },
    "referral_link": {
        "title": "Personīgās ieteikuma saites kopīgošana",
        "summary": "Ļaujiet potenciālajiem klientiem sazināties ar mums pašiem – nopelns tik un tā būs jūsu.",
        "body": (
            "<p>Ar jūsu personīgo ieteikuma saiti potenciālais klients var sazināties ar mums "
            "pats. Ikviens, kas to izmanto, tiek piesaistīts jums – tieši tāpat, it kā jūs būtu "
            "aizpildījuši veidlapu. Ievietojiet to e-pasta parakstā, kopīgojiet pēc konferences "
            "vai izdrukājiet QR kodu.</p>"
            "<h2>Ko redz potenciālais klients</h2><p>Īsu lapu ar jūsu vārdu, to, ko mēs darām, "
            "un veidlapu viņa paša datiem un piekrišanai. Mēs nekad nerādām viņam jūsu punktus "
            "vai balvas.</p>"
        ),
        "share": "Lūk, jūsu saite, gatava kopīgošanai:",
        "standing": (
            "<h2>Kur jūs esat</h2><p>Ieteikumi, kas atnāk caur jūsu saiti, līderu tabulās tiek "
            "skaitīti tāpat kā visi citi. Šajā mēnesī līdz šim:</p>"
        ),
        "board_title": "Šī mēneša labākie ieteicēji",
    },
    "faq": {
        "title": "Jautājumi un atbildes",
        "search_description": "Nopelns, punkti, līmeņi, komisijas un privātums.",
        "intro": (
            "<p>Neatradāt atbildi? Rakstiet programmas komandai uz referrals@demo.vouch.test.</p>"
        ),
        "questions": [
            (
                "Kas var piedalīties?",
                "<p>Katrs darbinieks no pirmās darba dienas un mūsu partnerorganizāciju "
                "lietotāji. Partneri pieņem partnera līgumu pirms sava pirmā ieteikuma.</p>",
            ),
            (
                "Cik ilgi notiek izskatīšana?",
                "<p>Izskatītāji jaunos ieteikumus izskata divu darba dienu laikā. Par katru "
                "izmaiņu jūs saņemat paziņojumu, un ieteikuma lapā redzama visa vēsture.</p>",
            ),
            (
                "To pašu uzņēmumu ieteica kāds cits. Kam pienākas nopelns?",
                "<p>Agrākajam iesniegumam piesaistes periodā. Ja ieteikums atzīmēts kā iespējams "
                "dublikāts, izskatītājs salīdzina abus blakus un pamato lēmumu.</p>",
            ),
            (
                "Kad es saņemšu punktus?",
                "<p>Uzreiz: punkti par iesniegšanu tiek piešķirti, kad iesniedzat, un vēl – kad "
                "ieteikums tiek kvalificēts un kad darījums ir iegūts. Ja ieteikums tiek noraidīts "
                "vai darījums stornēts, šie punkti tiek atņemti.</p>",
            ),
            (
                "Kā darbojas līmeņi?",
                "<p>Jūsu līmenis atbilst punktiem, kas nopelnīti pēdējos divpadsmit mēnešos. "
                "Punktu tērēšana balvām to nekad nepazemina. Līmeņu tabula ir programmas "
                "lapā.</p>",
            ),
            (
                "Kad tiek izmaksātas partneru komisijas?",
                "<p>Pēc 30 dienu aiztures perioda komisijas tiek apstiprinātas un iekļautas "
                "nākamajā mēneša izmaksu paketē, ja pārsniedz 50 € minimumu. Pārskati atrodami "
                "sadaļā Komisijas.</p>",
            ),
            (
                "Vai līderu tabulās varu būt redzams tikai ar iniciāļiem?",
                "<p>Jā. Izvēlieties to sadaļā Iestatījumi; no tā brīža katrā tabulā būs redzami "
                "jūsu iniciāļi.</p>",
            ),
            (
                "Kas notiek ar kontaktinformāciju, ko iesniedzu?",
                "<p>To redzat tikai jūs, jūsu organizācijas partnera administrators un "
                "programmas izskatītāji. Tā tiek anonimizēta, kad ieteikums ir bijis slēgts "
                "glabāšanas periodu.</p>",
            ),
        ],
    },
    "catalog": {
        "title": "Balvu katalogs",
        "search_description": "Ko varat iegūt par saviem punktiem.",
        "intro": (
            "<p>Iztērējiet punktus dāvanu kartēm, piedzīvojumiem, brīvdienai vai ziedojumam "
            "ceturkšņa labdarības mērķim. Dažas balvas paredzētas augstākiem līmeņiem.</p>"
        ),
    },
    "agreement": {
        "title": "Partneru programmas līgums",
        "terms": (
            "<h2>1. Darbības joma</h2><p>Šis līgums regulē ieteikumus un darījumu reģistrācijas, "
            "ko jūsu organizācija (“Partneris”) iesniedz ar Vouch starpniecību, un komisijas, ko "
            "par tiem maksājam.</p>"
            "<h2>2. Reģistrācijas</h2><p>Partneris reģistrē tikai tās iespējas, ar kurām tas "
            "patiešām mūs iepazīstinājis, potenciālajam klientam to zinot. Reģistrācija aizsargā "
            "iespēju programmas piesaistes periodā. Mēs varam noraidīt reģistrāciju esošam "
            "klientam vai iespējai, kas jau ir mūsu pārdošanas procesā, un paskaidrosim, "
            "kāpēc.</p>"
            "<h2>3. Komisijas</h2><p>Komisijas atbilst plānam, kas portālā redzams dienā, kad "
            "ieteikums tiek kvalificēts vai darījums iegūts. Tās tiek aizturētas 30 dienas un "
            "izmaksātas reizi mēnesī. Ja darījumam tiek veikta atmaksa vai maksājuma atcelšana, "
            "komisija tiek atprasīta un ieskaitīta pret vēlākiem ienākumiem.</p>"
            "<h2>4. Datu aizsardzība</h2><p>Partneris kopīgo potenciālā klienta "
            "kontaktinformāciju tikai ar viņa piekrišanu un glabā to konfidenciāli. Mēs to "
            "apstrādājam saskaņā ar mūsu privātuma paziņojumu un anonimizējam glabāšanas "
            "perioda beigās.</p>"
            "<h2>5. Rīcība</h2><p>Nekādu surogātpastu, maldinošu apgalvojumu par mūsu produktiem "
            "vai pašieteikumu. Pārkāpumu gadījumā Partnera konts var tikt apturēts.</p>"
            "<h2>6. Izmaiņas</h2><p>Mēs varam šo līgumu atjaunināt. Katra jaunā versija tiek "
            "publicēta šeit, un tā jāpieņem pirms nākamās reģistrācijas.</p>"
        ),
    },
    "news": {
        "title": "Jaunumi",
        "search_description": "Programmas komandas paziņojumi.",
        "intro": "<p>Uzvarētāji, jaunas balvas un programmas izmaiņas.</p>",
    },
}

DB = {
    "Customer referrals": "Klientu ieteikumi",
    "Introduce companies that could use our platform. Qualified introductions earn points; won deals earn more, and partners a commission.": "Iepazīstiniet mūs ar uzņēmumiem, kuriem noderētu mūsu platforma. Kvalificēti ieteikumi dod punktus, iegūti darījumi – vairāk, bet partneriem arī komisiju.",
    "One platform for the way your team works": "Viena platforma tam, kā strādā jūsu komanda",
    "We help growing teams run their operations on one platform. Tell us what you need and a specialist will call you — no obligation.": "Mēs palīdzam augošām komandām vadīt darbu vienā platformā. Pastāstiet, kas jums vajadzīgs, un speciālists jums piezvanīs – bez saistībām.",
    "Reseller deal registration": "Tālākpārdevēju darījumu reģistrēšana",
    "Register the deals you bring so they are protected for 180 days.": "Reģistrējiet atvestos darījumus, lai tie būtu aizsargāti 180 dienas.",
    "I agree to be contacted about this referral.": "Piekrītu, ka ar mani sazinās saistībā ar šo ieteikumu.",
    "Bronze": "Bronza",
    "Silver": "Sudrabs",
    "Gold": "Zelts",
    "Platinum": "Platīns",
    "Welcome to the program.": "Laipni lūdzam programmā.",
    "10% higher commissions; access to experiences.": "Par 10 % lielākas komisijas; pieeja piedzīvojumiem.",
    "25% higher commissions; premium rewards.": "Par 25 % lielākas komisijas; īpašas balvas.",
    "50% higher commissions; the best rewards.": "Par 50 % lielākas komisijas; labākās balvas.",
    "Coffee gift card 10 €": "Kafijas dāvanu karte 10 €",
    "A thank-you coffee on us.": "Pateicības kafija uz mūsu rēķina.",
    "Vouch hoodie": "Vouch džemperis ar kapuci",
    "Soft, warm, and it says you vouch.": "Mīksts, silts, un uz tā rakstīts, ka jūs galvojat.",
    "Charity donation 25 €": "Ziedojums labdarībai 25 €",
    "We give to the charity the team picks each quarter.": "Ziedojam labdarības organizācijai, ko komanda izvēlas katru ceturksni.",
    "Extra day off": "Papildu brīvdiena",
    "A day for yourself, agreed with your manager.": "Diena sev, saskaņota ar jūsu vadītāju.",
    "Dinner for two": "Vakariņas divatā",
    "At a restaurant of your choice, up to 120 €.": "Jūsu izvēlētā restorānā, līdz 120 €.",
    "Spa weekend": "SPA nedēļas nogale",
    "Two nights for two. Gold tier and above.": "Divas naktis diviem. No līmeņa Zelts un augstāk.",
    "Autumn raffle": "Rudens izloze",
    "Noise-cancelling headphones": "Trokšņu slāpēšanas austiņas",
    "Every referral qualified in the last two months is one entry.": "Katrs pēdējos divos mēnešos kvalificētais ieteikums ir viens pieteikums.",
    "Winter raffle": "Ziemas izloze",
    "A weekend in Lapland": "Nedēļas nogale Lapzemē",
    "Qualified referrals enter automatically; you can also buy tickets.": "Kvalificēti ieteikumi piedalās automātiski; varat arī pirkt biļetes.",
    "Q4 referral sprint": "Ceturtā ceturkšņa ieteikumu sprints",
    "Most qualified referrals before the year ends.": "Visvairāk kvalificētu ieteikumu līdz gada beigām.",
    "Weekend in Lapland\nNoise-cancelling headphones\nCinema tickets for two": "Nedēļas nogale Lapzemē\nTrokšņu slāpēšanas austiņas\nKino biļetes diviem",
    "October points race": "Oktobra punktu sacensība",
    "Points earned in October.": "Oktobrī nopelnītie punkti.",
    "Spa day\nDinner for two": "SPA diena\nVakariņas divatā",
    "First referral": "Pirmais ieteikums",
    "Submit your first referral.": "Iesniedziet savu pirmo ieteikumu.",
    "Five qualified": "Pieci kvalificēti",
    "Have 5 referrals qualified.": "Panāciet, ka 5 ieteikumi tiek kvalificēti.",
    "Ten qualified": "Desmit kvalificēti",
    "Have 10 referrals qualified.": "Panāciet, ka 10 ieteikumi tiek kvalificēti.",
    "First win": "Pirmā uzvara",
    "A referral of yours becomes a won deal.": "Jūsu ieteikums kļūst par iegūtu darījumu.",
    "On a roll": "Veiksmes vilnī",
    "Refer someone every week for 4 weeks in a row.": "Iesakiet kādu katru nedēļu 4 nedēļas pēc kārtas.",
    "Top 3 of the month": "Mēneša labāko trijniekā",
    "Finish a month among the top 3 by points.": "Noslēdziet mēnesi labāko trijniekā pēc punktiem.",
    # contest formats
    "Deal pot": "Darījumu fonds",
    "Ten percent of the value of every deal won goes into the pot.": "Desmit procenti no katra noslēgtā darījuma vērtības nonāk fondā.",
    "Points ladder": "Punktu kāpnes",
    "Everyone who climbs to a step wins its prize.": "Katrs, kas uzkāpj uz pakāpes, saņem tās godalgu.",
    "100: 50 points\n300: 150 points\n600: 100 EUR bonus": "100: 50 punkti\n300: 150 punkti\n600: 100 EUR prēmija",
    "Personal best": "Personīgais rekords",
    "Reach your own target of qualified referrals.": "Sasniedziet savu kvalificēto ieteikumu mērķi.",
    "200 points": "200 punkti",
    "North vs South": "Ziemeļi pret Dienvidiem",
    "Each team's best three members count.": "Tiek ieskaitīti katras komandas trīs labākie dalībnieki.",
    "300 points\n100 points": "300 punkti\n100 punkti",
    # referral campaign
    "Ask after the win": "Lūgt pēc iegūta darījuma",
    "Know someone who would like the same?": "Vai pazīstat kādu, kam noderētu tas pats?",
    "A quick favour?": "Neliels pakalpojums?",
    "Thank you for choosing us! If you know a company wrestling with the same problems, refer them to us — it takes a minute.": "Paldies, ka izvēlējāties mūs! Ja zināt uzņēmumu, kam ir tās pašas problēmas, iesakiet to mums – tas aizņem minūti.",
}
