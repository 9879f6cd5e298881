# SPDX-License-Identifier: AGPL-3.0-or-later
"""Italiano: the demo's pages and database rows (tu, terms from locale/it)."""

from __future__ import annotations

MONTHS = [
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
]  # fmt: skip


def announcement(month: int) -> dict:
    name = MONTHS[month - 1]
    return {
        "title": f"I migliori segnalatori di {name}",
        "summary": f"{name.capitalize()} è stato il nostro mese migliore finora. Ecco le persone che lo hanno reso possibile.",
        "body": (
            f"<p>Grazie a tutti coloro che hanno segnalato a {name}. I primi tre ricevono "
            "ciascuno una cena per due, e ogni segnalazione qualificata conta per lo sprint "
            "del quarto trimestre.</p>"
        ),
    }


PAGES = {
    "home": {
        "title": "Vouch",
        "headline": "Conosci qualcuno che ha bisogno di noi? Garantisci per lui.",
        "call_to_action": "Segnala qualcuno",
        "intro": (
            "<p>Vouch è il nostro modo di ringraziare le persone che ci conoscono meglio. Quando "
            "ci presenti un'azienda che potrebbe aver bisogno di ciò che facciamo, il nostro team "
            "la contatta entro due giorni lavorativi, tu puoi seguire ogni passaggio e guadagni "
            "punti, livelli, premi e, se sei un partner, provvigioni.</p>"
        ),
    },
    "program": {
        "title": "Segnalazioni di clienti",
        "search_description": "Come funzionano le segnalazioni, cosa fanno guadagnare e quali sono i livelli.",
        "intro": (
            "<p>Presentaci aziende che potrebbero usare la nostra piattaforma. Ogni segnalazione "
            "viene esaminata da una persona e ogni passaggio compare nella cronologia della tua "
            "segnalazione.</p>"
        ),
        "rules": (
            "<h2>Chi può segnalare</h2><p>Ogni dipendente e ogni utente di un'organizzazione "
            "partner che ha accettato l'accordo di partnership. Segnala aziende, non progetti "
            "personali di amici: il potenziale cliente deve essere un'impresa che potrebbe "
            "acquistare da noi.</p>"
            "<h2>Cosa rende buona una segnalazione</h2><ul><li>Conosci una persona reale in "
            "azienda e si aspetta di essere contattata da noi.</li><li>Ci dici in una o due frasi "
            "di cosa ha bisogno.</li><li>Non è già nostra cliente né in trattativa con il nostro "
            "team commerciale.</li></ul>"
            "<h2>A chi va il merito</h2><p>Il primo segnalatore di un'azienda la mantiene per "
            "tutta la finestra di attribuzione (90 giorni dall'invio per questo programma). Se "
            "due persone segnalano la stessa azienda, vince la segnalazione inviata per prima; i revisori "
            "motivano ogni decisione nella cronologia della segnalazione.</p>"
            "<h2>Punti e livelli</h2><p>I punti dipendono dalle impostazioni del programma, "
            "riportate qui sotto. Il tuo livello segue i punti guadagnati negli ultimi dodici "
            "mesi, quindi può scendere oltre che salire. I punti spesi in premi non abbassano "
            "mai il tuo livello.</p>"
        ),
        "cta_heading": "Pronti quando lo sei tu",
        "cta_text": "Una segnalazione richiede circa un minuto. Puoi anche condividere il tuo link personale.",
        "cta_button": "Segnala qualcuno",
    },
    "partner_program": {
        "title": "Registrazione delle trattative dei partner",
        "search_description": "Registra le trattative, guadagna provvigioni, ricevi i pagamenti ogni mese.",
        "intro": (
            "<p>Per i nostri rivenditori, agenzie e consulenti: registra le trattative che porti "
            "e guadagna una provvigione su ognuna che vinciamo insieme.</p>"
        ),
        "rules": (
            "<h2>Registra ogni trattativa che porti</h2><p>La registrazione protegge la "
            "trattativa per 180 giorni: se il cliente firma entro quel periodo, la provvigione è "
            "tua. Registrala prima del tuo primo incontro con noi, così possiamo pianificare il "
            "lavoro insieme.</p>"
            "<h2>Provvigioni</h2><p>Le provvigioni nascono quando una segnalazione viene "
            "qualificata o una trattativa vinta, restano in sospeso per 30 giorni (rimborsi e "
            "chargeback capitano), poi vengono approvate e pagate nel lotto di pagamento mensile "
            "successivo. I livelli più alti moltiplicano la provvigione. Puoi seguire ogni euro "
            'in <a href="/partner/commissions/">Provvigioni</a> e scaricare gli estratti conto '
            "mensili.</p>"
            "<h2>Prima della tua prima registrazione</h2><p>Ogni persona della tua "
            "organizzazione accetta l'accordo di partnership una volta, e di nuovo quando ne "
            "pubblichiamo una nuova versione.</p>"
        ),
    },
    "guides": {
        "title": "Guide",
        "search_description": "Consigli pratici per segnalazioni migliori.",
        "intro": (
            "<p>Consigli brevi e pratici dal team del programma e dai nostri migliori "
            "segnalatori.</p>"
        ),
    },
    "good_referrals": {
        "title": "Come fare una segnalazione che viene qualificata",
        "summary": "Tre abitudini dei segnalatori le cui presentazioni diventano trattative vinte.",
        "body": (
            "<p>La maggior parte delle segnalazioni che non portano a nulla fallisce per gli "
            "stessi tre motivi: il potenziale cliente non sapeva che l'avremmo chiamato, non "
            "riuscivamo a capire di cosa avesse bisogno, oppure era già in contatto con noi. "
            "Ecco come evitarli tutti e tre.</p>"
            "<h2>1. Chiedi prima</h2><p>Di' alla persona che la stai presentando e perché. "
            "Bastano due righe: <em>«Ho parlato a Vouch del vostro progetto per il magazzino; "
            "Maria del loro team ti chiamerà questa settimana.»</em></p>"
            "<h2>2. Di' di cosa ha bisogno</h2><p>Il campo «Di cosa ha bisogno?» è il primo che "
            "il nostro team legge. Indica il problema, le dimensioni indicative ed eventuali "
            "scadenze.</p>"
            "<h2>3. Usa il suo indirizzo di lavoro</h2><p>Abbiniamo le segnalazioni per e-mail, "
            "telefono e dominio aziendale. Un indirizzo di lavoro ci permette di individuare "
            "subito i duplicati e ti assegna il merito senza controlli manuali.</p>"
        ),
        "quote": "Mando una riga prima di ogni segnalazione. Quasi tutte le mie vengono qualificate.",
        "attribution": "Emma, migliore segnalatrice di ottobre",
        "cta_heading": "Hai qualcuno in mente?",
        "cta_text": "Il modulo chiede un nome, un'e-mail di lavoro e una frase sull'esigenza.",
        "cta_button": "Segnala qualcuno",
    },
    "referral_link": {
        "title": "Condividere il tuo link di segnalazione personale",
        "summary": "Lascia che i potenziali clienti ci contattino da soli, e ottieni comunque il merito.",
        "body": (
            "<p>Il tuo link di segnalazione personale permette a un potenziale cliente di "
            "contattarci da solo. Chiunque lo usi viene attribuito a te, esattamente come se "
            "avessi compilato il modulo. Mettilo nella firma delle tue e-mail, condividilo dopo "
            "una conferenza o stampa il codice QR.</p>"
            "<h2>Cosa vede il potenziale cliente</h2><p>Una breve pagina con il tuo nome, cosa "
            "facciamo e un modulo per i suoi dati e il suo consenso. Non gli mostriamo mai i tuoi "
            "punti o i tuoi premi.</p>"
        ),
        "share": "Ecco il tuo link, pronto da condividere:",
        "standing": (
            "<h2>A che punto sei</h2><p>Le segnalazioni arrivate dal tuo link contano per le "
            "classifiche come tutte le altre. Questo mese finora:</p>"
        ),
        "board_title": "I migliori segnalatori del mese",
    },
    "faq": {
        "title": "Domande e risposte",
        "search_description": "Merito, punti, livelli, provvigioni e privacy.",
        "intro": (
            "<p>Non trovi la risposta? Scrivi al team del programma a "
            "referrals@demo.vouch.test.</p>"
        ),
        "questions": [
            (
                "Chi può partecipare?",
                "<p>Ogni dipendente, dal primo giorno, e gli utenti delle nostre organizzazioni "
                "partner. I partner accettano l'accordo di partnership prima della loro prima "
                "segnalazione.</p>",
            ),
            (
                "Quanto dura una revisione?",
                "<p>I revisori esaminano le nuove segnalazioni entro due giorni lavorativi. Ricevi "
                "una notifica per ogni cambiamento e la pagina della segnalazione mostra l'intera "
                "cronologia.</p>",
            ),
            (
                "Qualcun altro ha segnalato la stessa azienda. A chi va il merito?",
                "<p>Alla segnalazione inviata per prima entro la finestra di attribuzione. Se una segnalazione "
                "è stata contrassegnata come possibile duplicato, un revisore confronta le due "
                "affiancate e motiva la decisione.</p>",
            ),
            (
                "Quando ricevo i miei punti?",
                "<p>Subito: i punti per l'invio arrivano quando invii, e altri quando la "
                "segnalazione viene qualificata e quando la trattativa è vinta. Se una "
                "segnalazione viene rifiutata o una trattativa annullata, quei punti vengono "
                "ripresi.</p>",
            ),
            (
                "Come funzionano i livelli?",
                "<p>Il tuo livello segue i punti guadagnati negli ultimi dodici mesi. Spendere "
                "punti in premi non lo abbassa mai. La tabella dei livelli è nella pagina del "
                "programma.</p>",
            ),
            (
                "Quando vengono pagate le provvigioni dei partner?",
                "<p>Dopo 30 giorni di sospensione, le provvigioni vengono approvate e incluse nel "
                "lotto di pagamento mensile successivo, oltre un minimo di 50 €. Gli estratti "
                "conto si trovano in Provvigioni.</p>",
            ),
            (
                "Posso comparire nelle classifiche solo con le mie iniziali?",
                "<p>Sì. Sceglilo in Impostazioni; da quel momento ogni classifica mostra le tue "
                "iniziali.</p>",
            ),
            (
                "Cosa succede ai dati di contatto che invio?",
                "<p>Li vedono solo tu, l'amministratore partner della tua organizzazione e i "
                "revisori del programma. Vengono resi anonimi quando la segnalazione è chiusa da "
                "più del periodo di conservazione.</p>",
            ),
        ],
    },
    "catalog": {
        "title": "Catalogo premi",
        "search_description": "Cosa puoi ottenere con i tuoi punti.",
        "intro": (
            "<p>Spendi i tuoi punti in buoni regalo, esperienze, un giorno libero o una "
            "donazione all'associazione benefica del trimestre. Alcuni premi sono riservati ai "
            "livelli più alti.</p>"
        ),
    },
    "agreement": {
        "title": "Accordo del programma partner",
        "terms": (
            "<h2>1. Oggetto</h2><p>Il presente accordo disciplina le segnalazioni e le "
            "registrazioni di trattative che la tua organizzazione («il Partner») invia tramite "
            "Vouch, e le provvigioni che paghiamo per esse.</p>"
            "<h2>2. Registrazioni</h2><p>Il Partner registra solo opportunità che ha realmente "
            "presentato, con la consapevolezza del potenziale cliente. Una registrazione "
            "protegge l'opportunità per la finestra di attribuzione del programma. Possiamo "
            "rifiutare una registrazione per un cliente esistente o per un'opportunità già nella "
            "nostra pipeline, e ne spiegheremo il motivo.</p>"
            "<h2>3. Provvigioni</h2><p>Le provvigioni seguono il piano indicato nel portale il "
            "giorno in cui la segnalazione viene qualificata o la trattativa vinta. Restano in "
            "sospeso per 30 giorni e vengono pagate mensilmente. Se una trattativa viene "
            "rimborsata o stornata, la provvigione viene stornata e compensata con i guadagni "
            "successivi.</p>"
            "<h2>4. Protezione dei dati</h2><p>Il Partner condivide i dati di contatto di un "
            "potenziale cliente solo con il suo consenso e li mantiene riservati. Li trattiamo "
            "secondo la nostra informativa sulla privacy e li rendiamo anonimi al termine del "
            "periodo di conservazione.</p>"
            "<h2>5. Condotta</h2><p>Niente spam, nessuna affermazione ingannevole sui nostri "
            "prodotti, nessuna autosegnalazione. Le violazioni possono comportare la sospensione "
            "dell'account del Partner.</p>"
            "<h2>6. Modifiche</h2><p>Possiamo aggiornare questo accordo. Ogni nuova versione "
            "viene pubblicata qui e deve essere accettata prima della registrazione "
            "successiva.</p>"
        ),
    },
    "news": {
        "title": "Notizie",
        "search_description": "Annunci dal team del programma.",
        "intro": "<p>Vincitori, nuovi premi e modifiche al programma.</p>",
    },
}

DB = {
    "Customer referrals": "Segnalazioni di clienti",
    "Introduce companies that could use our platform. Qualified introductions earn points; won deals earn more, and partners a commission.": "Presenta aziende che potrebbero usare la nostra piattaforma. Le presentazioni qualificate fanno guadagnare punti, le trattative vinte di più e ai partner una provvigione.",
    "One platform for the way your team works": "Un'unica piattaforma per il modo in cui lavora il tuo team",
    "We help growing teams run their operations on one platform. Tell us what you need and a specialist will call you — no obligation.": "Aiutiamo i team in crescita a gestire le loro attività su un'unica piattaforma. Dicci di cosa hai bisogno e uno specialista ti chiamerà, senza impegno.",
    "Reseller deal registration": "Registrazione delle trattative dei rivenditori",
    "Register the deals you bring so they are protected for 180 days.": "Registra le trattative che porti: restano protette per 180 giorni.",
    "I agree to be contacted about this referral.": "Acconsento a essere contattato in merito a questa segnalazione.",
    "Bronze": "Bronzo",
    "Silver": "Argento",
    "Gold": "Oro",
    "Platinum": "Platino",
    "Welcome to the program.": "Benvenuto nel programma.",
    "10% higher commissions; access to experiences.": "Provvigioni più alte del 10%; accesso alle esperienze.",
    "25% higher commissions; premium rewards.": "Provvigioni più alte del 25%; premi esclusivi.",
    "50% higher commissions; the best rewards.": "Provvigioni più alte del 50%; i premi migliori.",
    "Coffee gift card 10 €": "Buono caffè da 10 €",
    "A thank-you coffee on us.": "Un caffè di ringraziamento offerto da noi.",
    "Vouch hoodie": "Felpa Vouch",
    "Soft, warm, and it says you vouch.": "Morbida, calda, e dice che tu garantisci.",
    "Charity donation 25 €": "Donazione benefica da 25 €",
    "We give to the charity the team picks each quarter.": "Doniamo all'associazione benefica scelta dal team ogni trimestre.",
    "Extra day off": "Un giorno libero in più",
    "A day for yourself, agreed with your manager.": "Un giorno per te, concordato con il tuo manager.",
    "Dinner for two": "Cena per due",
    "At a restaurant of your choice, up to 120 €.": "In un ristorante a tua scelta, fino a 120 €.",
    "Spa weekend": "Weekend in una spa",
    "Two nights for two. Gold tier and above.": "Due notti per due persone. Dal livello Oro in su.",
    "Autumn raffle": "Lotteria d'autunno",
    "Noise-cancelling headphones": "Cuffie con cancellazione del rumore",
    "Every referral qualified in the last two months is one entry.": "Ogni segnalazione qualificata negli ultimi due mesi vale una partecipazione.",
    "Winter raffle": "Lotteria d'inverno",
    "A weekend in Lapland": "Un weekend in Lapponia",
    "Qualified referrals enter automatically; you can also buy tickets.": "Le segnalazioni qualificate partecipano automaticamente; puoi anche acquistare biglietti.",
    "Q4 referral sprint": "Sprint di segnalazioni del quarto trimestre",
    "Most qualified referrals before the year ends.": "Il maggior numero di segnalazioni qualificate entro la fine dell'anno.",
    "Weekend in Lapland\nNoise-cancelling headphones\nCinema tickets for two": "Weekend in Lapponia\nCuffie con cancellazione del rumore\nBiglietti del cinema per due",
    "October points race": "Gara a punti di ottobre",
    "Points earned in October.": "Punti guadagnati a ottobre.",
    "Spa day\nDinner for two": "Giornata in spa\nCena per due",
    "First referral": "Prima segnalazione",
    "Submit your first referral.": "Invia la tua prima segnalazione.",
    "Five qualified": "Cinque qualificate",
    "Have 5 referrals qualified.": "Ottieni 5 segnalazioni qualificate.",
    "Ten qualified": "Dieci qualificate",
    "Have 10 referrals qualified.": "Ottieni 10 segnalazioni qualificate.",
    "First win": "Prima vittoria",
    "A referral of yours becomes a won deal.": "Una tua segnalazione diventa una trattativa vinta.",
    "On a roll": "In serie",
    "Refer someone every week for 4 weeks in a row.": "Segnala qualcuno ogni settimana per 4 settimane di fila.",
    "Top 3 of the month": "Tra i primi 3 del mese",
    "Finish a month among the top 3 by points.": "Chiudi un mese tra i primi 3 per punti.",
    # contest formats
    "Deal pot": "Montepremi degli affari",
    "Ten percent of the value of every deal won goes into the pot.": "Il dieci per cento del valore di ogni affare vinto va nel montepremi.",
    "Points ladder": "Scala dei punti",
    "Everyone who climbs to a step wins its prize.": "Chiunque sale a un gradino vince il suo premio.",
    "100: 50 points\n300: 150 points\n600: 100 EUR bonus": "100: 50 punti\n300: 150 punti\n600: bonus di 100 EUR",
    "Personal best": "Record personale",
    "Reach your own target of qualified referrals.": "Raggiungi il tuo obiettivo di segnalazioni qualificate.",
    "200 points": "200 punti",
    "North vs South": "Nord contro Sud",
    "Each team's best three members count.": "Contano i tre membri migliori di ogni squadra.",
    "300 points\n100 points": "300 punti\n100 punti",
    # referral campaign
    "Ask after the win": "Chiedi dopo la trattativa vinta",
    "Know someone who would like the same?": "Conosci qualcuno a cui servirebbe lo stesso?",
    "A quick favour?": "Un piccolo favore?",
    "Thank you for choosing us! If you know a company wrestling with the same problems, refer them to us — it takes a minute.": "Grazie per averci scelto! Se conosci un'azienda alle prese con gli stessi problemi, segnalacela: ci vuole un minuto.",
}
