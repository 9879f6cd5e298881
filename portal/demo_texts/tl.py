# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tagalog: the demo's pages and database rows (direct ikaw/mo, no "po"; terms from
locale/tl)."""

from __future__ import annotations

MONTHS = [
    "Enero", "Pebrero", "Marso", "Abril", "Mayo", "Hunyo",
    "Hulyo", "Agosto", "Setyembre", "Oktubre", "Nobyembre", "Disyembre",
]  # fmt: skip


def announcement(month: int) -> dict:
    name = MONTHS[month - 1]
    return {
        "title": f"Mga nangungunang referrer ng {name}",
        "summary": f"Ang {name} ang pinakamagandang buwan natin sa ngayon. Narito ang mga taong nagpaging-posible nito.",
        "body": (
            f"<p>Salamat sa lahat ng nag-refer noong {name}. Bawat isa sa nangungunang tatlo ay "
            "tatanggap ng hapunan para sa dalawa, at bawat kwalipikadong referral ay bilang sa "
            "Q4 sprint.</p>"
        ),
    }


PAGES = {
    "home": {
        "title": "Vouch",
        "headline": "May kilala ka bang nangangailangan sa amin? I-vouch mo sila.",
        "call_to_action": "Mag-refer ng kakilala",
        "intro": (
            "<p>Ang Vouch ang paraan namin ng pagpapasalamat sa mga taong pinakakilala kami. Kapag "
            "ipinakilala mo ang isang kumpanyang makikinabang sa ginagawa namin, kokontakin sila ng "
            "aming team sa loob ng dalawang araw ng trabaho, masusubaybayan mo ang bawat hakbang, "
            "at kikita ka ng puntos, antas, gantimpala at — para sa mga partner — komisyon.</p>"
        ),
    },
    "program": {
        "title": "Mga referral ng customer",
        "search_description": "Paano gumagana ang referral, ano ang kinikita nito, at ang mga antas.",
        "intro": (
            "<p>Ipakilala sa amin ang mga kumpanyang makikinabang sa aming platform. Bawat referral "
            "ay sinusuri ng isang tao, at makikita ang bawat hakbang sa timeline ng iyong "
            "referral.</p>"
        ),
        "rules": (
            "<h2>Sino ang puwedeng mag-refer</h2><p>Bawat empleyado, at bawat user ng partner na "
            "organisasyong tumanggap sa kasunduan ng partner. Mag-refer ng mga kumpanya, hindi ng "
            "personal na proyekto ng mga kaibigan: dapat ay negosyong puwedeng bumili sa amin ang "
            "prospect.</p>"
            "<h2>Ano ang magandang referral</h2><ul><li>May kilala kang totoong tao roon at "
            "inaasahan niyang tatawag kami.</li><li>Sinasabi mo sa isa o dalawang pangungusap "
            "kung ano ang kailangan nila.</li><li>Hindi pa sila customer o kausap ng aming sales "
            "team.</li></ul>"
            "<h2>Sino ang makakakuha ng kredito</h2><p>Ang unang referrer ng isang kumpanya ang "
            "may hawak nito sa buong tagal ng bisa ng referral (90 araw mula sa pagsumite para sa "
            "programang ito). Kung dalawang tao ang nag-refer sa iisang kumpanya, panalo ang "
            "pinakaunang naisumite; ipinapaliwanag ng mga reviewer ang bawat desisyon sa timeline "
            "ng referral.</p>"
            "<h2>Puntos at antas</h2><p>Ang puntos ay mula sa sariling setting ng programa, na "
            "makikita sa ibaba. Sumusunod ang iyong antas sa puntos na kinita mo sa nakaraang "
            "labindalawang buwan, kaya puwede itong bumaba o tumaas. Hindi kailanman "
            "ibinababa ng puntos na ginastos mo sa gantimpala ang iyong antas.</p>"
        ),
        "cta_heading": "Handa kami kapag handa ka na",
        "cta_text": "Mga isang minuto lang ang isang referral. Puwede mo ring i-share ang sarili mong link.",
        "cta_button": "Mag-refer ng kakilala",
    },
    "partner_program": {
        "title": "Pagrehistro ng deal ng partner",
        "search_description": "Irehistro ang mga deal, kumita ng komisyon, mabayaran buwan-buwan.",
        "intro": (
            "<p>Para sa aming mga reseller, ahensya at consultant: irehistro ang mga deal na dala "
            "mo at kumita ng komisyon sa bawat deal na mapanalunan natin nang magkasama.</p>"
        ),
        "rules": (
            "<h2>Irehistro ang bawat deal na dala mo</h2><p>Protektado ang nakarehistrong deal "
            "nang 180 araw: kung pumirma ang customer sa loob ng panahong iyon, sa iyo ang "
            "komisyon. Magrehistro bago ang una mong meeting sa amin para maplano natin ang "
            "trabaho nang magkasama.</p>"
            "<h2>Mga komisyon</h2><p>Nalilikha ang komisyon kapag na-qualify ang referral o "
            "nanalo ang deal, naka-hold ito nang 30 araw (may mga refund at chargeback), saka "
            "inaaprubahan at binabayaran sa susunod na buwanang batch ng payout. Pinalalaki ng "
            'mas mataas na antas ang komisyon. Masusubaybayan mo ang bawat euro sa <a href="/partner/commissions/">Mga komisyon</a> '
            "at mada-download ang buwanang statement.</p>"
            "<h2>Bago ang una mong pagrehistro</h2><p>Tinatanggap ng bawat tao sa iyong "
            "organisasyon ang kasunduan ng partner nang isang beses, at muli kapag naglabas kami "
            "ng bagong bersyon.</p>"
        ),
    },
    "guides": {
        "title": "Mga gabay",
        "search_description": "Praktikal na payo para sa mas magagandang referral.",
        "intro": (
            "<p>Maikli at praktikal na payo mula sa team ng programa at sa aming mga nangungunang "
            "referrer.</p>"
        ),
    },
    "good_referrals": {
        "title": "Paano gumawa ng referral na ma-qualify",
        "summary": "Tatlong gawi ng mga referrer na ang mga ipinakilala ay nagiging deal.",
        "body": (
            "<p>Karamihan sa mga referral na walang kinahinatnan ay bumabagsak dahil sa parehong "
            "tatlong dahilan: hindi alam ng prospect na tatawag kami, hindi namin malaman kung ano "
            "ang kailangan nila, o kausap na pala nila kami. Ganito maiiwasan ang tatlong "
            "iyon.</p>"
            "<h2>1. Magtanong muna</h2><p>Sabihin sa tao na ipinakikilala mo siya at kung bakit. "
            "Sapat na ang dalawang linya: <em>“Ikinuwento ko sa Vouch ang proyekto ninyo sa "
            "bodega; tatawagan ka ni Maria mula sa team nila ngayong linggo.”</em></p>"
            "<h2>2. Sabihin kung ano ang kailangan nila</h2><p>Ang field na “Ano ang kailangan "
            "nila?” ang unang binabasa ng aming team. Banggitin ang problema, ang tantiyang laki "
            "at anumang deadline.</p>"
            "<h2>3. Gamitin ang kanilang work address</h2><p>Pinagtutugma namin ang mga referral "
            "ayon sa e-mail, telepono at domain ng kumpanya. Sa work address, agad naming nakikita "
            "ang mga duplicate at napupunta sa iyo ang kredito nang walang manu-manong "
            "pagsusuri.</p>"
        ),
        "quote": "Nagpapadala ako ng isang linya bago ang bawat referral. Halos lahat ng akin ay na-qualify.",
        "attribution": "Emma, nangungunang referrer ng Oktubre",
        "cta_heading": "May naiisip ka bang tao?",
        "cta_text": "Hinihingi ng form ang pangalan, work e-mail at isang pangungusap tungkol sa kailangan.",
        "cta_button": "Mag-refer ng kakilala",
    },
    "referral_link": {
        "title": "Pag-share ng iyong personal na referral link",
        "summary": "Hayaang ang mga prospect mismo ang lumapit sa amin, at sa iyo pa rin ang kredito.",
        "body": (
            "<p>Sa iyong personal na referral link, makakalapit sa amin ang prospect nang mag-isa. "
            "Sinumang gumamit nito ay itinatala sa iyo, na para bang ikaw ang nagsagot ng form. "
            "Ilagay ito sa iyong e-mail signature, i-share pagkatapos ng isang kumperensya, o "
            "i-print ang QR code.</p>"
            "<h2>Ano ang nakikita ng prospect</h2><p>Isang maikling page na may pangalan mo, kung "
            "ano ang ginagawa namin, at isang form para sa sarili nilang detalye at pahintulot. "
            "Hindi namin kailanman ipinapakita sa kanila ang iyong puntos o gantimpala.</p>"
        ),
        "share": "Narito ang sarili mong link, handa nang i-share:",
        "standing": (
            "<h2>Nasaan ka na</h2><p>Bilang sa mga leaderboard ang mga referral mula sa iyong link, "
            "gaya ng iba. Ngayong buwan sa ngayon:</p>"
        ),
        "board_title": "Mga nangungunang referrer ngayong buwan",
    },
    "faq": {
        "title": "Mga tanong at sagot",
        "search_description": "Kredito, puntos, antas, komisyon at privacy.",
        "intro": (
            "<p>Hindi mo makita ang sagot? Sumulat sa team ng programa sa "
            "referrals@demo.vouch.test.</p>"
        ),
        "questions": [
            (
                "Sino ang puwedeng sumali?",
                "<p>Bawat empleyado, mula sa unang araw nila, at ang mga user ng aming mga partner "
                "na organisasyon. Tinatanggap ng mga partner ang kasunduan ng partner bago ang "
                "una nilang referral.</p>",
            ),
            (
                "Gaano katagal ang pagsusuri?",
                "<p>Tinitingnan ng mga reviewer ang mga bagong referral sa loob ng dalawang araw "
                "ng trabaho. Makakatanggap ka ng notification sa bawat pagbabago, at makikita sa "
                "page ng referral ang buong timeline.</p>",
            ),
            (
                "May ibang nag-refer sa parehong kumpanya. Sino ang makakakuha ng kredito?",
                "<p>Ang pinakaunang naisumite sa loob ng tagal ng bisa ng referral. Kung na-flag "
                "ang referral bilang posibleng duplicate, ihahambing ng reviewer ang dalawa nang "
                "magkatabi at ipapaliwanag ang desisyon.</p>",
            ),
            (
                "Kailan ko makukuha ang aking puntos?",
                "<p>Agad-agad: dumarating ang puntos para sa pagsumite kapag nagsumite ka, at may "
                "dagdag kapag na-qualify ang referral at kapag nanalo ang deal. Kung ma-reject ang "
                "referral o ma-reverse ang deal, babawiin ang mga puntos na iyon.</p>",
            ),
            (
                "Paano gumagana ang mga antas?",
                "<p>Sumusunod ang iyong antas sa puntos na kinita mo sa nakaraang labindalawang "
                "buwan. Hindi ito kailanman bababa dahil sa paggastos ng puntos sa gantimpala. "
                "Nasa page ng programa ang talaan ng mga antas.</p>",
            ),
            (
                "Kailan binabayaran ang komisyon ng mga partner?",
                "<p>Pagkatapos ng 30 araw na hold, inaaprubahan ang mga komisyon at isinasama sa "
                "susunod na buwanang batch ng payout, kapag lampas sa minimum na 50 €. Nasa Mga "
                "komisyon ang mga statement.</p>",
            ),
            (
                "Puwede ba akong lumabas sa mga leaderboard gamit lang ang aking initials?",
                "<p>Oo. Piliin ito sa Settings; mula noon, initials mo na ang ipapakita ng bawat "
                "leaderboard.</p>",
            ),
            (
                "Ano ang nangyayari sa mga contact detail na isinusumite ko?",
                "<p>Ikaw lang, ang partner admin ng iyong organisasyon at ang mga reviewer ng "
                "programa ang nakakakita nito. Ina-anonymize ang mga ito kapag sarado na ang "
                "referral nang lampas sa retention period.</p>",
            ),
        ],
    },
    "catalog": {
        "title": "Katalogo ng gantimpala",
        "search_description": "Ano ang mabibili ng iyong puntos.",
        "intro": (
            "<p>Gastusin ang iyong puntos sa gift card, karanasan, isang day off o donasyon sa "
            "charity ng quarter. May mga gantimpalang para lang sa mas matataas na antas.</p>"
        ),
    },
    "agreement": {
        "title": "Kasunduan sa programa ng partner",
        "terms": (
            "<h2>1. Saklaw</h2><p>Sinasaklaw ng kasunduang ito ang mga referral at pagrehistro ng "
            "deal na isinusumite ng iyong organisasyon (“ang Partner”) sa pamamagitan ng Vouch, at "
            "ang mga komisyong ibinabayad namin para sa mga ito.</p>"
            "<h2>2. Mga pagrehistro</h2><p>Nagrerehistro lang ang Partner ng mga oportunidad na "
            "talagang ipinakilala nito, nang may kaalaman ng prospect. Pinoprotektahan ng "
            "pagrehistro ang oportunidad sa buong tagal ng bisa ng referral ng programa. Puwede "
            "naming tanggihan ang pagrehistro para sa kasalukuyang customer o sa oportunidad na "
            "nasa pipeline na namin, at sasabihin namin kung bakit.</p>"
            "<h2>3. Mga komisyon</h2><p>Sumusunod ang mga komisyon sa planong nakikita sa portal "
            "sa araw na na-qualify ang referral o nanalo ang deal. Naka-hold ang mga ito nang 30 "
            "araw at binabayaran buwan-buwan. Kapag na-refund o na-chargeback ang deal, "
            "binabawi ang komisyon at ibinabawas sa mga susunod na kita.</p>"
            "<h2>4. Proteksyon ng data</h2><p>Ibinabahagi lang ng Partner ang contact details ng "
            "prospect nang may pahintulot nila at pinananatili itong kumpidensyal. Pinoproseso "
            "namin ang mga ito ayon sa aming privacy notice at ina-anonymize pagkatapos ng "
            "retention period.</p>"
            "<h2>5. Asal</h2><p>Walang spam, walang mapanlinlang na pahayag tungkol sa aming mga "
            "produkto, walang pagre-refer sa sarili. Puwedeng masuspinde ang account ng Partner "
            "dahil sa paglabag.</p>"
            "<h2>6. Mga pagbabago</h2><p>Puwede naming i-update ang kasunduang ito. Inilalathala "
            "rito ang bawat bagong bersyon at kailangan itong tanggapin bago ang susunod na "
            "pagrehistro.</p>"
        ),
    },
    "news": {
        "title": "Balita",
        "search_description": "Mga anunsyo mula sa team ng programa.",
        "intro": "<p>Mga nanalo, bagong gantimpala at mga pagbabago sa programa.</p>",
    },
}

DB = {
    "Customer referrals": "Mga referral ng customer",
    "Introduce companies that could use our platform. Qualified introductions earn points; won deals earn more, and partners a commission.": "Ipakilala ang mga kumpanyang makikinabang sa aming platform. Kumikita ng puntos ang mga kwalipikadong pagpapakilala; mas malaki sa mga napanalunang deal, at komisyon para sa mga partner.",
    "One platform for the way your team works": "Iisang platform para sa paraan ng pagtatrabaho ng team mo",
    "We help growing teams run their operations on one platform. Tell us what you need and a specialist will call you — no obligation.": "Tinutulungan namin ang mga lumalaking team na patakbuhin ang kanilang operasyon sa iisang platform. Sabihin mo kung ano ang kailangan mo at tatawagan ka ng isang espesyalista — walang obligasyon.",
    "Reseller deal registration": "Pagrehistro ng deal ng reseller",
    "Register the deals you bring so they are protected for 180 days.": "Irehistro ang mga deal na dala mo para protektado ang mga ito nang 180 araw.",
    "I agree to be contacted about this referral.": "Pumapayag akong makontak tungkol sa referral na ito.",
    "Bronze": "Bronze",
    "Silver": "Pilak",
    "Gold": "Ginto",
    "Platinum": "Platinum",
    "Welcome to the program.": "Maligayang pagdating sa programa.",
    "10% higher commissions; access to experiences.": "10% mas mataas na komisyon; access sa mga karanasan.",
    "25% higher commissions; premium rewards.": "25% mas mataas na komisyon; mga premium na gantimpala.",
    "50% higher commissions; the best rewards.": "50% mas mataas na komisyon; ang pinakamagagandang gantimpala.",
    "Coffee gift card 10 €": "Gift card sa kape na 10 €",
    "A thank-you coffee on us.": "Kape bilang pasasalamat, sagot namin.",
    "Vouch hoodie": "Vouch hoodie",
    "Soft, warm, and it says you vouch.": "Malambot, mainit, at sinasabi nitong nagva-vouch ka.",
    "Charity donation 25 €": "Donasyon sa charity na 25 €",
    "We give to the charity the team picks each quarter.": "Nagbibigay kami sa charity na pinipili ng team bawat quarter.",
    "Extra day off": "Dagdag na day off",
    "A day for yourself, agreed with your manager.": "Isang araw para sa sarili mo, napagkasunduan kasama ang iyong manager.",
    "Dinner for two": "Hapunan para sa dalawa",
    "At a restaurant of your choice, up to 120 €.": "Sa restawrang pipiliin mo, hanggang 120 €.",
    "Spa weekend": "Weekend sa spa",
    "Two nights for two. Gold tier and above.": "Dalawang gabi para sa dalawa. Para sa antas na Ginto pataas.",
    "Autumn raffle": "Raffle ng taglagas",
    "Noise-cancelling headphones": "Noise-cancelling na headphones",
    "Every referral qualified in the last two months is one entry.": "Isang entry ang bawat referral na na-qualify sa nakaraang dalawang buwan.",
    "Winter raffle": "Raffle ng taglamig",
    "A weekend in Lapland": "Isang weekend sa Lapland",
    "Qualified referrals enter automatically; you can also buy tickets.": "Awtomatikong kasali ang mga kwalipikadong referral; puwede ka ring bumili ng ticket.",
    "Q4 referral sprint": "Q4 referral sprint",
    "Most qualified referrals before the year ends.": "Pinakamaraming kwalipikadong referral bago matapos ang taon.",
    "Weekend in Lapland\nNoise-cancelling headphones\nCinema tickets for two": "Weekend sa Lapland\nNoise-cancelling na headphones\nTicket sa sinehan para sa dalawa",
    "October points race": "Karera ng puntos ng Oktubre",
    "Points earned in October.": "Puntos na kinita noong Oktubre.",
    "Spa day\nDinner for two": "Isang araw sa spa\nHapunan para sa dalawa",
    "First referral": "Unang referral",
    "Submit your first referral.": "Isumite ang iyong unang referral.",
    "Five qualified": "Limang kwalipikado",
    "Have 5 referrals qualified.": "Magpa-qualify ng 5 referral.",
    "Ten qualified": "Sampung kwalipikado",
    "Have 10 referrals qualified.": "Magpa-qualify ng 10 referral.",
    "First win": "Unang panalo",
    "A referral of yours becomes a won deal.": "Naging panalong deal ang isa sa iyong mga referral.",
    "On a roll": "Tuloy-tuloy",
    "Refer someone every week for 4 weeks in a row.": "Mag-refer ng kakilala bawat linggo nang 4 na sunod-sunod na linggo.",
    "Top 3 of the month": "Top 3 ng buwan",
    "Finish a month among the top 3 by points.": "Tapusin ang isang buwan sa top 3 ayon sa puntos.",
    # contest formats
    "Deal pot": "Pot ng mga deal",
    "Ten percent of the value of every deal won goes into the pot.": "Sampung porsiyento ng halaga ng bawat napanalunang deal ay napupunta sa pot.",
    "Points ladder": "Hagdan ng puntos",
    "Everyone who climbs to a step wins its prize.": "Bawat makaakyat sa isang baitang ay panalo ng premyo nito.",
    "100: 50 points\n300: 150 points\n600: 100 EUR bonus": "100: 50 puntos\n300: 150 puntos\n600: 100 EUR bonus",
    "Personal best": "Sariling pinakamahusay na rekord",
    "Reach your own target of qualified referrals.": "Abutin ang sarili mong target na kwalipikadong referral.",
    "200 points": "200 puntos",
    "North vs South": "North laban sa South",
    "Each team's best three members count.": "Binibilang ang tatlong pinakamahusay na miyembro ng bawat team.",
    "300 points\n100 points": "300 puntos\n100 puntos",
    # referral campaign
    "Ask after the win": "Magtanong pagkatapos manalo ang deal",
    "Know someone who would like the same?": "May kilala ka bang makikinabang din dito?",
    "A quick favour?": "Isang maliit na pabor?",
    "Thank you for choosing us! If you know a company wrestling with the same problems, refer them to us — it takes a minute.": "Salamat sa pagpili sa amin! Kung may alam kang kompanyang may parehong problema, i-refer mo sila sa amin — isang minuto lang ito.",
}
