"""Spanish, Russian and Kazakh versions of the demo records (load_demo fills them in)."""

# Each record's English text lives in load_demo.py (the areas' in migration 0002);
# here are the same texts, translated from the Astana Times report in shared/seeds
# and adding nothing to it. Key terms follow locale/GLOSSARY.md; official names
# are the ones each party uses. An empty acronym means the original one is shown.

AREAS = {  # keyed by the area's slug
    "ict": {
        "es": {
            "name": "TIC",
            "description": (
                "Tecnologías de la información y la comunicación: redes, plataformas y servicios "
                "públicos digitales."
            ),
        },
        "ru": {
            "name": "ИКТ",
            "description": (
                "Информационно-коммуникационные технологии: сети, платформы и цифровые "
                "государственные услуги."
            ),
        },
        "kk": {
            "name": "АКТ",
            "description": (
                "Ақпараттық-коммуникациялық технологиялар: желілер, платформалар және цифрлық "
                "мемлекеттік қызметтер."
            ),
        },
    },
    "cybersecurity": {
        "es": {
            "name": "Ciberseguridad",
            "description": (
                "Protección de los sistemas de las administraciones públicas, de sus datos y de la "
                "ciudadanía en el entorno digital."
            ),
        },
        "ru": {
            "name": "Кибербезопасность",
            "description": (
                "Защита государственных информационных систем, данных и граждан в цифровой среде."
            ),
        },
        "kk": {
            "name": "Киберқауіпсіздік",
            "description": (
                "Мемлекеттік ақпараттық жүйелерді, деректерді және азаматтарды цифрлық ортада "
                "қорғау."
            ),
        },
    },
    "ai-regulation": {
        "es": {
            "name": "Regulación de la inteligencia artificial",
            "description": (
                "Normas, métodos y garantías para el uso de la inteligencia artificial en el "
                "sector público."
            ),
        },
        "ru": {
            "name": "Регулирование искусственного интеллекта",
            "description": (
                "Правила, методики и гарантии применения искусственного интеллекта в "
                "государственном секторе."
            ),
        },
        "kk": {
            "name": "Жасанды интеллектіні реттеу",
            "description": (
                "Мемлекеттік секторда жасанды интеллектіні пайдалану қағидалары, әдістері және "
                "қорғау тетіктері."
            ),
        },
    },
    "data-management": {
        "es": {
            "name": "Gestión de datos",
            "description": (
                "Gobernanza, intercambio y análisis de los datos del sector público, incluidos los "
                "macrodatos."
            ),
        },
        "ru": {
            "name": "Управление данными",
            "description": (
                "Организация управления данными государственного сектора, обмен ими и их анализ, "
                "включая большие данные."
            ),
        },
        "kk": {
            "name": "Деректерді басқару",
            "description": (
                "Мемлекеттік сектор деректерін, оның ішінде үлкен деректерді басқару, талдау және "
                "олармен алмасу."
            ),
        },
    },
    "govtech": {
        "es": {
            "name": "GovTech",
            "description": (
                "Tecnología para la Administración pública, así como las compañías y empresas "
                "emergentes que la desarrollan."
            ),
        },
        "ru": {
            "name": "GovTech",
            "description": (
                "Технологии для государственного управления, а также компании и стартапы, которые "
                "их создают."
            ),
        },
        "kk": {
            "name": "GovTech",
            "description": (
                "Мемлекеттік басқаруға арналған технологиялар, сондай-ақ оларды әзірлейтін "
                "компаниялар мен стартаптар."
            ),
        },
    },
}

AGENCIES = {  # keyed by the agency's slug
    "nitec": {
        # A Spanish ministry document keeps a foreign company's own Latin-script name,
        # legal form included, rather than translating it: the Spanish press (EFE) wrote
        # "la empresa estatal National Information Technologies (NITEC)", and a
        # translated name would match nothing NITEC publishes. Same as the glossary.
        # The acronym stays empty, so the original NITEC is shown after the name.
        "es": {
            "name": "National Information Technologies JSC",
            "acronym": "",
            "description": (
                "Operador estatal de la administración electrónica de Kazajistán: desarrolla y "
                "gestiona la infraestructura de administración electrónica del país y sus "
                "servicios públicos digitales."
            ),
        },
        # "АО «НИТ»" is the short form Kazakhstani Russian-language media use.
        "ru": {
            "name": "АО «Национальные информационные технологии»",
            "acronym": "НИТ",
            "description": (
                "Государственный оператор «электронного правительства» Казахстана: развивает и "
                "сопровождает инфраструктуру «электронного правительства» страны и цифровые "
                "государственные услуги."
            ),
        },
        # «ҰАТ» АҚ is the Kazakh short form; still to be confirmed by a native reviewer.
        "kk": {
            "name": "«Ұлттық ақпараттық технологиялар» АҚ",
            "acronym": "",
            "description": (
                "Қазақстандағы «электрондық үкімет» жөніндегі мемлекеттік оператор: елдің "
                "«электрондық үкімет» инфрақұрылымы мен цифрлық мемлекеттік қызметтерін құрады әрі "
                "олардың жұмысын қамтамасыз етеді."
            ),
        },
    },
    "community-of-madrid": {
        # The region's own name, used in all its official documents, has no "Autónoma".
        "es": {
            "name": "Comunidad de Madrid",
            "acronym": "",
            "description": (
                "Una de las mayores regiones de España. Más de 1450 de sus servicios públicos "
                "están automatizados y, según datos oficiales, 288.500 personas trabajan en sus "
                "industrias y servicios de alta tecnología (el 31,8 % del total de España), lo que "
                "la convierte en la segunda región de la Unión Europea en número de profesionales "
                "del sector tecnológico."
            ),
        },
        "ru": {
            "name": "Автономное сообщество Мадрид",
            "acronym": "",
            "description": (
                "Один из крупнейших регионов Испании. В регионе автоматизировано более 1450 "
                "государственных услуг, а в высокотехнологичных отраслях промышленности и сферы "
                "услуг, по официальным данным, занято 288 500 человек (31,8% от общего числа по "
                "Испании): по численности занятых в технологической сфере регион занимает второе "
                "место среди регионов Европейского союза."
            ),
        },
        "kk": {
            "name": "Мадрид автономиялық қауымдастығы",
            "acronym": "",
            "description": (
                "Испанияның ең ірі өңірлерінің бірі. Мұнда 1450-ден астам мемлекеттік қызмет "
                "автоматтандырылған, ал ресми деректер бойынша жоғары технологиялық өнеркәсіп пен "
                "қызмет көрсету салаларында 288 500 адам жұмыс істейді (Испания бойынша жалпы "
                "санның 31,8%-ы). Технология саласында жұмыс істейтіндер саны бойынша өңір "
                "Еуропалық Одақ өңірлерінің ішінде екінші орында тұр."
            ),
        },
    },
    "madrid-ministry-of-digitalization": {
        "es": {
            "name": "Consejería de Digitalización de la Comunidad de Madrid",
            "acronym": "",
            "description": (
                "Consejería del Gobierno regional competente en materia de transformación digital "
                "de la Administración de la Comunidad de Madrid."
            ),
        },
        "ru": {
            "name": "Министерство цифровизации Сообщества Мадрид",
            "acronym": "",
            "description": (
                "Министерство в составе регионального правительства, ответственное за цифровую "
                "трансформацию государственного управления Сообщества Мадрид."
            ),
        },
        "kk": {
            "name": "Мадрид қауымдастығының Цифрландыру министрлігі",
            "acronym": "",
            "description": (
                "Мадрид қауымдастығындағы мемлекеттік басқаруды цифрлық трансформациялауға жауапты "
                "өңірлік үкімет министрлігі."
            ),
        },
    },
}

AGREEMENT = {  # the NITEC – Madrid agreement; summary paragraphs split by a blank line
    "es": {
        "title": (
            "Convenio de colaboración entre NITEC y la Consejería de Digitalización de la "
            "Comunidad de Madrid"
        ),
        "summary": (
            "NITEC, operador de la administración electrónica de Kazajistán, y la Consejería "
            "de Digitalización de la Comunidad de Madrid acuerdan colaborar en materia de "
            "tecnologías de la información y la comunicación, desarrollo de la ciberseguridad, "
            "regulación de la inteligencia artificial, gestión de datos e impulso del GovTech.\n\n"
            "Actuaciones de seguimiento anunciadas en la firma: análisis de la creación en "
            "Madrid de una plataforma conjunta de pruebas GovTech en la que empresas "
            "emergentes, empresas de rápido crecimiento y organismos públicos puedan probar "
            "soluciones digitales en condiciones regulatorias flexibles; investigación "
            "conjunta en inteligencia artificial y macrodatos; intercambio de conocimientos en "
            "materia de transformación digital, y desarrollo del capital humano en el sector "
            "TIC.\n\n"
            "Según el consejero de Digitalización, la preparación del convenio llevó siete "
            "meses. El consejero subraya la importancia de compartir experiencias en IA, "
            "datos y metodología, de ayudar a las pequeñas empresas a crecer gracias a la "
            "tecnología y de formar a los empleados públicos, que son quienes protagonizan el "
            "cambio."
        ),
    },
    "ru": {
        "title": (
            "Соглашение о сотрудничестве между АО «Национальные информационные технологии» и "
            "Министерством цифровизации Сообщества Мадрид"
        ),
        "summary": (
            "АО «Национальные информационные технологии», оператор «электронного "
            "правительства» Казахстана, и Министерство цифровизации Сообщества Мадрид "
            "договорились о сотрудничестве в области информационно-коммуникационных "
            "технологий, развития кибербезопасности, регулирования искусственного интеллекта, "
            "управления данными и продвижения GovTech.\n\n"
            "Последующие мероприятия, определённые при подписании: изучение возможности "
            "создания в Мадриде совместной GovTech-платформы для тестирования, на которой "
            "стартапы, быстрорастущие компании и государственные органы смогут испытывать "
            "цифровые решения в условиях гибкого регулирования; совместные исследования в "
            "области искусственного интеллекта и больших данных; обмен опытом и знаниями в "
            "сфере цифровой трансформации; развитие человеческого капитала в сфере ИКТ.\n\n"
            "По словам министра цифровизации Сообщества Мадрид, подготовка соглашения заняла "
            "семь месяцев. Министр подчёркивает важность обмена опытом в области ИИ, "
            "данных и методологии, содействия малым компаниям в масштабировании бизнеса с "
            "помощью технологий, а также обучения государственных служащих, ведь именно они "
            "осуществляют преобразования."
        ),
    },
    "kk": {
        "title": (
            "«Ұлттық ақпараттық технологиялар» АҚ және Мадрид қауымдастығының Цифрландыру "
            "министрлігі арасындағы ынтымақтастық туралы келісім"
        ),
        "summary": (
            "Қазақстандағы «электрондық үкімет» операторы «Ұлттық ақпараттық технологиялар» АҚ "
            "және Мадрид қауымдастығының Цифрландыру министрлігі ақпараттық-коммуникациялық "
            "технологиялар, киберқауіпсіздікті дамыту, жасанды интеллектіні реттеу, деректерді "
            "басқару және GovTech-ті ілгерілету бағыттары бойынша бірлесіп жұмыс істеуге "
            "келісті.\n\n"
            "Қол қою кезінде аталған кейінгі іс-шаралар: Мадридте стартаптар, қарқынды өсіп "
            "келе жатқан компаниялар мен мемлекеттік органдар цифрлық шешімдерді икемді реттеу "
            "жағдайында сынақтан өткізе алатын бірлескен GovTech платформасын құру мүмкіндігін "
            "зерделеу; жасанды интеллект пен үлкен деректер саласында бірлескен зерттеулер "
            "жүргізу; цифрлық трансформация саласында тәжірибе алмасу; сондай-ақ АКТ "
            "саласындағы адами капиталды дамыту.\n\n"
            "Мадрид қауымдастығының Цифрландыру министрінің айтуынша, келісімді дайындау жеті "
            "айға созылған. Министр жасанды интеллект, деректер және әдіснама бойынша "
            "тәжірибе алмасудың, шағын компанияларға технологиялар арқылы қызметінің ауқымын "
            "кеңейтуге көмектесудің, сондай-ақ өзгерістерді жүзеге асыратын мемлекеттік "
            "қызметшілерді оқытудың маңызын атап өтеді."
        ),
    },
}

MILESTONES = {  # keyed by the milestone's English title, as in load_demo.py
    "Explore a joint GovTech testing platform in Madrid": {
        "es": {
            "title": "Estudiar la creación de una plataforma conjunta de pruebas GovTech en Madrid",
            "description": (
                "Estudiar cómo crear en Madrid una plataforma compartida en la que empresas "
                "emergentes, empresas de rápido crecimiento y organismos públicos puedan probar "
                "soluciones digitales en condiciones regulatorias flexibles."
            ),
        },
        "ru": {
            "title": (
                "Изучение возможности создания совместной GovTech-платформы для тестирования в "
                "Мадриде"
            ),
            "description": (
                "Проработать вопрос создания в Мадриде общей платформы, на которой стартапы, "
                "быстрорастущие компании и государственные органы смогут тестировать цифровые "
                "решения в условиях гибкого регулирования."
            ),
        },
        "kk": {
            "title": "Мадридте бірлескен GovTech сынақ платформасын құру мүмкіндігін зерделеу",
            "description": (
                "Мадридте стартаптар, қарқынды өсіп келе жатқан компаниялар мен мемлекеттік "
                "органдар цифрлық шешімдерді икемді реттеу жағдайында сынақтан өткізе алатын ортақ "
                "платформа құру жолдарын зерделеу."
            ),
        },
    },
    "Joint research in artificial intelligence and big data": {
        "es": {
            "title": "Investigación conjunta en inteligencia artificial y macrodatos",
            "description": (
                "Realizar investigaciones conjuntas sobre inteligencia artificial y sobre "
                "macrodatos."
            ),
        },
        "ru": {
            "title": "Совместные исследования в области искусственного интеллекта и больших данных",
            "description": (
                "Провести совместные исследования в области искусственного интеллекта и в области "
                "больших данных."
            ),
        },
        "kk": {
            "title": "Жасанды интеллект пен үлкен деректер саласындағы бірлескен зерттеулер",
            "description": (
                "Жасанды интеллект және үлкен деректер бойынша бірлескен зерттеулер жүргізу."
            ),
        },
    },
    "Exchange expertise in digital transformation": {
        "es": {
            "title": "Intercambiar conocimientos en materia de transformación digital",
            "description": (
                "Compartir experiencias y métodos de transformación digital entre ambas "
                "administraciones."
            ),
        },
        "ru": {
            "title": "Обмен опытом в сфере цифровой трансформации",
            "description": (
                "Обмениваться опытом и методиками цифровой трансформации между органами "
                "государственного управления двух сторон."
            ),
        },
        "kk": {
            "title": "Цифрлық трансформация саласында тәжірибе алмасу",
            "description": (
                "Екі тараптың мемлекеттік басқару органдары арасында цифрлық трансформация "
                "тәжірибесімен және әдістерімен алмасу."
            ),
        },
    },
    "Build human capital in the ICT sector": {
        "es": {
            "title": "Desarrollar el capital humano en el sector TIC",
            "description": (
                "Desarrollar las competencias de las personas que trabajan en el ámbito de las "
                "TIC, incluidos los empleados públicos."
            ),
        },
        "ru": {
            "title": "Развитие человеческого капитала в сфере ИКТ",
            "description": (
                "Развивать навыки работников сферы ИКТ, в том числе государственных служащих."
            ),
        },
        "kk": {
            "title": "АКТ саласындағы адами капиталды дамыту",
            "description": (
                "АКТ саласында жұмыс істейтін адамдардың, соның ішінде мемлекеттік қызметшілердің "
                "дағдыларын дамыту."
            ),
        },
    },
}

DOCUMENTS = {  # keyed by the document link's URL (ARTICLE_URL in load_demo.py)
    "https://astanatimes.com/?p=107187": {
        "es": {
            "title": (
                "NITEC (Kazajistán) y la Consejería de Digitalización de la Comunidad de Madrid "
                "firman un convenio de colaboración (The Astana Times)"
            ),
        },
        "ru": {
            "title": (
                "Казахстанское АО «Национальные информационные технологии» и Министерство "
                "цифровизации Сообщества Мадрид подписали соглашение о сотрудничестве (The Astana "
                "Times)"
            ),
        },
        "kk": {
            "title": (
                "Қазақстандық «Ұлттық ақпараттық технологиялар» АҚ және Мадрид қауымдастығының "
                "Цифрландыру министрлігі ынтымақтастық туралы келісімге қол қойды (The Astana "
                "Times)"
            ),
        },
    },
}

# Where and at which event it was signed (the agreement's other texts).
AGREEMENT["es"].update(place_of_signing="Astaná (Kazajistán)", event="Foro Digital Bridge 2025")
AGREEMENT["ru"].update(place_of_signing="Астана, Казахстан", event="Форум Digital Bridge 2025")
AGREEMENT["kk"].update(place_of_signing="Астана, Қазақстан", event="Digital Bridge 2025 форумы")

# The region both Madrid bodies belong to.
for slug in ("community-of-madrid", "madrid-ministry-of-digitalization"):
    AGENCIES[slug]["es"]["jurisdiction"] = "Comunidad de Madrid"
    AGENCIES[slug]["ru"]["jurisdiction"] = "Сообщество Мадрид"
    AGENCIES[slug]["kk"]["jurisdiction"] = "Мадрид қауымдастығы"

REPRESENTATIVES = {  # keyed by full name; positions as each administration writes them
    "Daulet Bekmanov": {
        "es": {"position": "Presidente del Consejo de Dirección"},
        "ru": {"position": "Председатель Правления"},
        "kk": {"position": "Басқарма Төрағасы"},
    },
    "Miguel López-Valverde Argüeso": {
        "es": {"position": "Consejero de Digitalización"},
        "ru": {"position": "Министр цифровизации"},
        "kk": {"position": "Цифрландыру министрі"},
    },
}

FACT_SHEET = {  # the demo's uploaded document (load_demo.py)
    "es": {"title": "Ficha del acuerdo NITEC – Comunidad de Madrid (elaborada por Accords)"},
    "ru": {"title": "Справка о соглашении NITEC – Сообщество Мадрид (подготовлена в Accords)"},
    "kk": {"title": "NITEC – Мадрид қауымдастығы келісімі туралы анықтама (Accords дайындаған)"},
}
