package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/dudao-app/dudao/assets"
)

// language is a UI language the supervisor can choose. Its value is what the
// preference stores, so it must not change once released.
type language string

const (
	langChinese language = "zh-Hans"
	langEnglish language = "en"
)

// prefLanguage is the preference key holding the chosen language.
const prefLanguage = "ui.language"

// languageNames are endonyms, deliberately not translated: someone who cannot
// read the current language must still recognise their own.
var languageNames = map[language]string{
	langChinese: "中文",
	langEnglish: "English",
}

// languageOrder is the order the language switch lists them in.
var languageOrder = []language{langChinese, langEnglish}

// standardCode is the language code standard.Text.In and Score.Explain take.
func (l language) standardCode() string {
	if l == langEnglish {
		return "en"
	}
	return "zh"
}

func (l language) file() string {
	if l == langEnglish {
		return "en.json"
	}
	return "zh_Hans.json"
}

// preferredLanguage is Chinese unless the supervisor chose English: the
// tablets are set up centrally, and their system locale says nothing about
// the person holding one.
func preferredLanguage(p fyne.Preferences) language {
	if language(p.String(prefLanguage)) == langEnglish {
		return langEnglish
	}
	return langChinese
}

var addTranslationsOnce sync.Once

// useLanguage makes lang.X answer in l for Dudao's keys, whatever the system
// locale (including LANG unset or "C"). Call it before building any UI.
//
// Fyne 2.7 has no public way to choose a language: lang matches the system
// locale against the loaded files and falls back to "en". So, after the usual
// AddTranslationsFS, the chosen file is loaded again under both tags Dudao
// ships; whichever of them the system locale matches then holds the chosen
// strings. Replace this with Fyne's own call once it has one
// (fyne-io/fyne#5333). Until then:
//   - Dudao strings have no plural forms (lang.N, lang.XN): plural rules follow
//     the tag a file is loaded under, not its language, so English loaded
//     under zh-Hans would say "1 inspections". Phrase counts as "Inspections: 1".
//   - Fyne's own widget strings (dialog buttons) follow the system locale.
//   - On a system set to a third language that Fyne translates (fr, de...)
//     Dudao's strings fall back to the English text given in code.
func useLanguage(l language) {
	addTranslationsOnce.Do(func() {
		if err := lang.AddTranslationsFS(assets.Translations, "translation"); err != nil {
			fyne.LogError("load translations", err)
		}
	})
	data, err := assets.Translations.ReadFile("translation/" + l.file())
	if err != nil {
		fyne.LogError("read translation "+l.file(), err)
		return
	}
	for _, tag := range []fyne.Locale{"en", "zh-Hans"} {
		if err := lang.AddTranslationsForLocale(data, tag); err != nil {
			fyne.LogError("load translation "+l.file()+" as "+tag.String(), err)
		}
	}
}
