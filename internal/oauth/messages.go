package oauth

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// messageFS holds the pages' fixed text, one JSON file of key → text per
// language the managed login pages speak (messages/<lang>.json).
//
//go:embed messages/*.json
var messageFS embed.FS

// fallbackLang is the language of a key a language lacks, and of pages
// whose lang is not one the pages speak.
const fallbackLang = "en"

// catalogue is the pages' text by language, then key.
var catalogue = mustCatalogue()

func mustCatalogue() map[string]map[string]string {
	c, err := loadCatalogue()
	if err != nil {
		panic(err)
	}
	return c
}

// loadCatalogue reads the message files.
func loadCatalogue() (map[string]map[string]string, error) {
	files, err := messageFS.ReadDir("messages")
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	c := map[string]map[string]string{}
	for _, f := range files {
		b, err := messageFS.ReadFile(path.Join("messages", f.Name()))
		if err != nil {
			return nil, fmt.Errorf("read messages: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("messages/%s: %w", f.Name(), err)
		}
		c[strings.TrimSuffix(f.Name(), ".json")] = m
	}
	if c[fallbackLang] == nil {
		return nil, fmt.Errorf("messages: no %s.json", fallbackLang)
	}
	return c, nil
}

// text returns the text of key in lang, else in English, else the key.
func text(lang, key string) string {
	if v, ok := catalogue[lang][key]; ok {
		return v
	}
	if v, ok := catalogue[fallbackLang][key]; ok {
		return v
	}
	return key
}

// T returns the page's text for key, in the page's language.
func (p *page) T(key string) string { return text(p.Lang, key) }

// TF returns the page's text for key with {0} replaced by arg.
func (p *page) TF(key, arg string) string { return strings.Replace(p.T(key), "{0}", arg, 1) }
