# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import migrations

# The default badges (0002) in every language: slug -> language -> (name, how to earn it).
# Only empty translations are filled, so an editor's wording is kept.
TRANSLATIONS = {'first-referral': {'fi': ('Ensimmäinen suosittelu', 'Lähetä ensimmäinen suosittelusi.'),
                    'it': ('Prima segnalazione', 'Invia la tua prima segnalazione.'),
                    'lv': ('Pirmais ieteikums', 'Iesniedziet savu pirmo ieteikumu.'),
                    'ru': ('Первая рекомендация', 'Отправьте свою первую рекомендацию.'),
                    'tl': ('Unang referral', 'Isumite ang iyong unang referral.')},
 'first-win': {'fi': ('Ensimmäinen voitto', 'Suosittelustasi tulee voitettu kauppa.'),
               'it': ('Prima vittoria', 'Una tua segnalazione diventa una trattativa vinta.'),
               'lv': ('Pirmā uzvara', 'Jūsu ieteikums kļūst par iegūtu darījumu.'),
               'ru': ('Первая победа', 'Ваша рекомендация становится выигранной сделкой.'),
               'tl': ('Unang panalo', 'Naging panalong deal ang isa sa iyong mga referral.')},
 'five-qualified': {'fi': ('Viisi kvalifioitua', 'Saa 5 suosittelua kvalifioiduksi.'),
                    'it': ('Cinque qualificate', 'Ottieni 5 segnalazioni qualificate.'),
                    'lv': ('Pieci kvalificēti', 'Panāciet, ka 5 ieteikumi tiek kvalificēti.'),
                    'ru': ('Пять квалифицированных', 'Добейтесь квалификации 5 рекомендаций.'),
                    'tl': ('Limang kwalipikado', 'Magpa-qualify ng 5 referral.')},
 'four-week-streak': {'fi': ('Vauhdissa',
                             'Suosittele jotakuta joka viikko neljänä peräkkäisenä viikkona.'),
                      'it': ('In serie',
                             'Segnala qualcuno ogni settimana per 4 settimane di fila.'),
                      'lv': ('Veiksmes vilnī', 'Iesakiet kādu katru nedēļu 4 nedēļas pēc kārtas.'),
                      'ru': ('На волне', 'Давайте рекомендации каждую неделю 4 недели подряд.'),
                      'tl': ('Tuloy-tuloy',
                             'Mag-refer ng kakilala bawat linggo nang 4 na sunod-sunod na '
                             'linggo.')},
 'ten-qualified': {'fi': ('Kymmenen kvalifioitua', 'Saa 10 suosittelua kvalifioiduksi.'),
                   'it': ('Dieci qualificate', 'Ottieni 10 segnalazioni qualificate.'),
                   'lv': ('Desmit kvalificēti', 'Panāciet, ka 10 ieteikumi tiek kvalificēti.'),
                   'ru': ('Десять квалифицированных', 'Добейтесь квалификации 10 рекомендаций.'),
                   'tl': ('Sampung kwalipikado', 'Magpa-qualify ng 10 referral.')},
 'top-three-month': {'fi': ('Kuukauden kolmen parhaan joukossa',
                            'Päätä kuukausi pisteillä mitattuna kolmen parhaan joukossa.'),
                     'it': ('Tra i primi 3 del mese', 'Chiudi un mese tra i primi 3 per punti.'),
                     'lv': ('Mēneša labāko trijniekā',
                            'Noslēdziet mēnesi labāko trijniekā pēc punktiem.'),
                     'ru': ('Тройка лучших месяца', 'Завершите месяц в тройке лучших по баллам.'),
                     'tl': ('Top 3 ng buwan', 'Tapusin ang isang buwan sa top 3 ayon sa puntos.')}}


def translate(apps, schema_editor):
    Badge = apps.get_model("rewards", "Badge")
    for badge in Badge.objects.filter(slug__in=TRANSLATIONS):
        for language, (name, description) in TRANSLATIONS[badge.slug].items():
            if not getattr(badge, f"name_{language}"):
                setattr(badge, f"name_{language}", name)
            if not getattr(badge, f"description_{language}"):
                setattr(badge, f"description_{language}", description)
        badge.save()


class Migration(migrations.Migration):
    dependencies = [("rewards", "0003_translations")]
    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]
