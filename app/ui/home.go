package ui

import (
	"context"
	"image/color"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/inspect"
)

// HomeSource is what the home screen reads, already shaped for display. It is
// declared here, where it is used, so the store-backed implementation can live
// outside app/ui and tests can pass a fake.
type HomeSource interface {
	// Halls lists the halls the supervisor can inspect, in display order.
	Halls(ctx context.Context) ([]HallSummary, error)
	// RecentInspections lists up to limit inspections of a hall, newest first.
	RecentInspections(ctx context.Context, hallID string, limit int) ([]InspectionRow, error)
}

// HallSummary is one row of the hall list.
type HallSummary struct {
	ID, Code, Name string
	Inspections    int       // inspections held for the hall
	LastAt         time.Time // start of the latest inspection; zero if none
}

// InspectionRow is one row of a hall's recent inspections.
type InspectionRow struct {
	ID, HallName, Supervisor string
	StartedAt                time.Time
	Score                    float64
	Grade                    string
	Sealed                   bool
	SealHash                 string // hex SHA-256 of the sealed content; empty for a draft
}

const (
	// recentLimit is how many inspections of a hall the home screen lists.
	recentLimit = 20
	// narrowWidth is the window width below which the hall list and the
	// inspections share the screen one at a time: a phone, or a small tablet
	// in portrait.
	narrowWidth = 700
	// minRowHeight keeps list rows at least a comfortable finger's height.
	minRowHeight = 56
	// shortHashLen is enough of a seal hash to compare with a printed report.
	shortHashLen = 8
)

// home is the first screen: the halls, and the selected hall's latest
// inspections.
type home struct {
	src        HomeSource
	uiLang     language
	onLanguage func(language) // switches the whole window to another language

	halls []HallSummary
	rows  []InspectionRow
	hall  int // index in halls of the hall whose inspections are shown; -1 for none

	split     *masterDetail
	body      *fyne.Container
	hallList  *widget.List
	hallMsg   *widget.Label
	rowList   *widget.List
	rowMsg    *widget.Label
	rowTitle  *widget.Label
	rowHeader *fyne.Container
	back      *widget.Button
}

func newHome(src HomeSource, l language, onLanguage func(language)) *home {
	return &home{src: src, uiLang: l, onLanguage: onLanguage, hall: -1}
}

func (h *home) buildUI() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(lang.X("app.title", "Dudao"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText

	// The next steps' features are shown so supervisors see what is coming,
	// but disabled so nothing pretends to work.
	newInspection := widget.NewButtonWithIcon(lang.X("home.action.new", "New inspection"), theme.ContentAddIcon(), nil)
	syncNow := widget.NewButtonWithIcon(lang.X("home.action.sync", "Sync"), theme.ViewRefreshIcon(), nil)
	reports := widget.NewButtonWithIcon(lang.X("home.action.reports", "Reports"), theme.DocumentIcon(), nil)
	for _, b := range []*widget.Button{newInspection, syncNow, reports} {
		b.Disable()
	}
	actions := container.NewHBox(newInspection, syncNow, reports)

	names := make([]string, len(languageOrder))
	for i, l := range languageOrder {
		names[i] = languageNames[l]
	}
	languages := widget.NewSelect(names, nil)
	languages.SetSelected(languageNames[h.uiLang])
	languages.OnChanged = h.onLanguageSelected

	h.hallList = widget.NewList(h.hallCount, newHallItem, h.updateHallItem)
	h.hallList.OnSelected = h.onHallSelected
	h.hallMsg = newMessage()
	hallHeader := widget.NewLabelWithStyle(lang.X("home.halls", "Business halls"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	hallPane := container.NewBorder(container.NewVBox(hallHeader, h.hallMsg), nil, nil, nil, h.hallList)

	h.rowList = widget.NewList(h.rowCount, newRowItem, h.updateRowItem)
	h.rowList.OnSelected = h.onRowSelected
	h.rowMsg = newMessage()
	h.rowTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.rowTitle.Truncation = fyne.TextTruncateEllipsis
	h.back = widget.NewButtonWithIcon(lang.X("home.back", "Back"), theme.NavigateBackIcon(), h.onBack)
	h.back.Hide() // shown only while the narrow layout stacks the panes
	h.rowHeader = container.NewBorder(nil, nil, h.back, nil, h.rowTitle)
	rowPane := container.NewBorder(container.NewVBox(h.rowHeader, h.rowMsg), nil, nil, nil, h.rowList)

	h.split = &masterDetail{narrowBelow: narrowWidth, onNarrowChanged: h.onNarrowChanged}
	h.body = container.New(h.split, hallPane, widget.NewSeparator(), rowPane)

	h.loadHalls()
	return container.New(barLayout{}, title, languages, actions, widget.NewSeparator(), h.body)
}

// newMessage makes the label that stands in for a list when it is empty or
// could not be loaded.
func newMessage() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func showMessage(l *widget.Label, text string, isError bool) {
	l.Importance = widget.MediumImportance
	if isError {
		l.Importance = widget.DangerImportance
	}
	l.SetText(text)
	l.Show()
}

func (h *home) loadHalls() {
	halls, err := h.src.Halls(context.Background())
	h.halls = halls
	switch {
	case err != nil:
		h.halls = nil
		showMessage(h.hallMsg, lang.X("home.error.halls", "Could not load the business halls: {{.Error}}", map[string]any{"Error": err.Error()}), true)
	case len(halls) == 0:
		showMessage(h.hallMsg, lang.X("home.empty.halls", "No business halls yet. Halls and their inspections appear here after a sync with the hub."), false)
	default:
		h.hallMsg.Hide()
	}
	h.hallList.Refresh()
	if len(h.halls) == 0 {
		// No hall, no inspections to list: an empty pane says less than a titled one.
		h.rowTitle.Hide()
		h.rowList.Hide()
		return
	}
	// Show the first hall's inspections so the wide layout opens full; in the
	// narrow layout this does not push them (see onNarrowChanged).
	h.hallList.Select(0)
}

func (h *home) loadInspections() {
	hall := h.halls[h.hall]
	h.rowTitle.SetText(lang.X("home.inspections.of", "{{.Hall}} · recent inspections", map[string]any{"Hall": hall.Name}))
	h.rowTitle.Show()
	rows, err := h.src.RecentInspections(context.Background(), hall.ID, recentLimit)
	h.rows = rows
	switch {
	case err != nil:
		h.rows = nil
		showMessage(h.rowMsg, lang.X("home.error.inspections", "Could not load the inspections: {{.Error}}", map[string]any{"Error": err.Error()}), true)
	case len(rows) == 0:
		showMessage(h.rowMsg, lang.X("home.empty.inspections", "No inspections for this hall yet."), false)
	default:
		h.rowMsg.Hide()
	}
	h.rowList.Show()
	h.rowList.UnselectAll()
	h.rowList.Refresh()
	h.rowList.ScrollToTop()
}

func (h *home) hallCount() int { return len(h.halls) }

func newHallItem() fyne.CanvasObject {
	// Placeholder text on both lines gives the template, and so every row, its
	// full two-line height.
	return newTwoLines(fyne.TextAlignLeading, true, "Hall", "Code")
}

func (h *home) updateHallItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(h.halls) {
		return
	}
	hall := h.halls[id]
	detail := hall.Code + " · " + lang.X("home.hall.inspections", "Inspections: {{.Count}}", map[string]any{"Count": hall.Inspections})
	if hall.LastAt.IsZero() {
		detail += " · " + lang.X("home.hall.never", "not inspected yet")
	} else {
		detail += " · " + lang.X("home.hall.last", "last {{.Date}}", map[string]any{"Date": hall.LastAt.In(inspect.HallZone).Format(time.DateOnly)})
	}
	setTwoLines(o, hall.Name, detail, theme.ColorNamePlaceHolder)
}

func (h *home) rowCount() int { return len(h.rows) }

func newRowItem() fyne.CanvasObject {
	score := newTwoLines(fyne.TextAlignTrailing, false, "100", "Grade")
	text := newTwoLines(fyne.TextAlignLeading, true, "Time", "Seal")
	return container.NewBorder(nil, nil, nil, score, text)
}

func (h *home) updateRowItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(h.rows) {
		return
	}
	row := h.rows[id]
	c := o.(*fyne.Container)
	text, score := c.Objects[0], c.Objects[1]

	when := row.StartedAt.In(inspect.HallZone).Format("2006-01-02 15:04") + " · " + row.Supervisor
	seal, sealColour := lang.X("home.inspection.draft", "Draft, not sealed"), theme.ColorNameWarning
	if row.Sealed {
		seal, sealColour = lang.X("home.inspection.sealed", "Sealed")+" "+shortHash(row.SealHash), theme.ColorNameSuccess
	}
	setTwoLines(text, when, seal, sealColour)

	setTwoLines(score,
		lang.X("home.inspection.score", "{{.Score}} points", map[string]any{"Score": formatScore(row.Score)}),
		lang.X("home.inspection.grade", "Grade {{.Grade}}", map[string]any{"Grade": row.Grade}),
		theme.ColorNamePlaceHolder)
}

// newTwoLines is a list row's text: a main line over a smaller second line.
// Truncated text gives up its width to its neighbours, so a column that must
// always show in full (the score) is not truncated.
func newTwoLines(align fyne.TextAlign, truncate bool, first, second string) *fyne.Container {
	rt := widget.NewRichText()
	if truncate {
		rt.Truncation = fyne.TextTruncateEllipsis
	}
	setSegments(rt, align, first, second, theme.ColorNamePlaceHolder)
	return container.NewStack(minHeight(minRowHeight), rt)
}

func setTwoLines(o fyne.CanvasObject, first, second string, secondColour fyne.ThemeColorName) {
	rt := o.(*fyne.Container).Objects[1].(*widget.RichText)
	align := rt.Segments[0].(*widget.TextSegment).Style.Alignment
	setSegments(rt, align, first, second, secondColour)
	rt.Refresh()
}

func setSegments(rt *widget.RichText, align fyne.TextAlign, first, second string, secondColour fyne.ThemeColorName) {
	rt.Segments = []widget.RichTextSegment{
		&widget.TextSegment{Text: first, Style: widget.RichTextStyle{
			Alignment: align, ColorName: theme.ColorNameForeground, SizeName: theme.SizeNameText,
		}},
		&widget.TextSegment{Text: second, Style: widget.RichTextStyle{
			Alignment: align, ColorName: secondColour, SizeName: theme.SizeNameCaptionText,
		}},
	}
}

// minHeight is an invisible spacer that holds a row open to height h.
func minHeight(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, h))
	return r
}

func (h *home) onHallSelected(id widget.ListItemID) {
	if id < 0 || id >= len(h.halls) {
		return
	}
	h.hall = id
	h.loadInspections()
	if h.split.narrow {
		h.split.showDetail = true
		h.body.Refresh()
	}
}

// onRowSelected clears the selection straight away: opening an inspection
// comes with the inspection screens, and a row left highlighted would suggest
// something had been opened.
func (h *home) onRowSelected(widget.ListItemID) {
	h.rowList.UnselectAll()
}

func (h *home) onBack() {
	h.split.showDetail = false
	// Unselect so that tapping the same hall again fires OnSelected.
	h.hallList.UnselectAll()
	h.body.Refresh()
}

// onNarrowChanged runs when the window crosses narrowWidth, for instance when
// the tablet is rotated.
func (h *home) onNarrowChanged(narrow bool) {
	if narrow {
		h.back.Show()
		if !h.split.showDetail {
			h.hallList.UnselectAll()
		}
	} else {
		h.back.Hide()
		if h.hall >= 0 {
			h.hallList.Select(h.hall)
		}
	}
	h.rowHeader.Refresh()
}

func (h *home) onLanguageSelected(name string) {
	for l, n := range languageNames {
		if n == name && l != h.uiLang && h.onLanguage != nil {
			h.onLanguage(l)
			return
		}
	}
}

// formatScore shows at most one decimal: scores are weighted sums, and more
// digits would suggest a precision the observation does not have.
func formatScore(s float64) string {
	return strconv.FormatFloat(math.Round(s*10)/10, 'f', -1, 64)
}

func shortHash(h string) string {
	if len(h) > shortHashLen {
		return h[:shortHashLen]
	}
	return h
}
