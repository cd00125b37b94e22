package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
)

// pending lists the sealed records not delivered to the hub yet, each with
// why: waiting for the next sync, waiting for photos, refused by the hub
// (and can be tried again once fixed), or quarantined because the hub holds
// another record under the same ID (both seals shown; never sent again by
// itself: a manager resolves it on the hub).
type pending struct {
	s     *session
	items []flow.PendingItem
	box   *fyne.Container
}

func newPending(s *session) *pending { return &pending{s: s} }

func (p *pending) title() string { return lang.X("pending.title", "Not delivered to the hub") }

func (p *pending) buildUI() fyne.CanvasObject {
	p.box = container.NewVBox()
	p.load()
	p.s.sync.watch(p, func() {
		if !p.s.sync.running {
			p.load()
		}
	})
	return container.NewVScroll(centred(listWidth, container.NewPadded(p.box)))
}

func (p *pending) onShow() { p.load() }

func (p *pending) load() {
	items, err := p.s.sync.sy.Pending(p.s.ctx())
	p.items = items
	p.box.RemoveAll()
	switch {
	case err != nil:
		p.box.Add(errorText(lang.X("pending.error", "Could not read the records not delivered:") + " " + err.Error()))
	case len(items) == 0:
		p.box.Add(wrapped(lang.X("pending.none", "Everything sealed on this tablet has been delivered to the hub.")))
	default:
		p.box.Add(caption(lang.X("pending.intro", "These records are safe on this tablet. Each line says why it has not reached the hub yet.")))
	}
	for _, it := range items {
		p.box.Add(p.row(it))
	}
	p.box.Refresh()
}

func (p *pending) row(it flow.PendingItem) fyne.CanvasObject {
	name := it.HallName
	if name == "" {
		name = it.InspectionID
	}
	if it.Kind == "amendment" {
		name = lang.X("pending.amendment", "Correction of {{.Name}}", map[string]any{"Name": name})
	}
	when := ""
	if !it.StartedAt.IsZero() {
		when = formatTime(it.StartedAt) + " · "
	}
	colour := theme.ColorNamePlaceHolder
	var reason string
	switch {
	case it.State == flow.StateQuarantined:
		colour = theme.ColorNameError
		reason = lang.X("pending.quarantined", "Held back: the hub holds a different record under the same ID. It is not sent again until a manager resolves the conflict on the hub (dudao-hub conflicts list).")
	case it.Parked:
		colour = theme.ColorNameWarning
		reason = pendingRefusal(it)
	case it.ReasonCode == "photo_lost":
		colour = theme.ColorNameError
		reason = lang.X("pending.photolost", "A photo of it is lost: it is no longer on this tablet, and the hub does not have it. The hub's administrator can restore it from the hub's photo backup; the record is then delivered by itself.")
	case it.State == flow.StateSent:
		reason = lang.X("pending.photos", "Sent; the hub has {{.Present}} of {{.Expected}} photos. The rest go at the next sync.",
			map[string]any{"Present": it.PhotosPresent, "Expected": it.PhotosExpected})
	case it.ReasonCode != "":
		colour = theme.ColorNameWarning
		reason = lang.X("pending.failed", "Waiting: the last attempt failed and the next sync tries again.")
	default:
		reason = lang.X("pending.waiting", "Waiting for the next sync.")
	}
	segs := []*widget.TextSegment{detail(when + lang.X("pending.seal", "seal {{.Hash}}", map[string]any{"Hash": shortHash(it.SealHash)})), flag(reason, colour)}
	if it.Reason != "" {
		segs = append(segs, detail(it.Reason))
	}
	if it.State == flow.StateQuarantined {
		segs = append(segs,
			detail(lang.X("pending.hash.mine", "This tablet's seal: {{.Hash}}", map[string]any{"Hash": it.SealHash})),
			detail(lang.X("pending.hash.hub", "The hub's seal: {{.Hash}}", map[string]any{"Hash": it.HeldHash})))
	}
	text := lines(name, false, segs...)
	var side fyne.CanvasObject
	if it.Parked {
		retry := widget.NewButtonWithIcon(lang.X("pending.retry", "Try again"), theme.ViewRefreshIcon(), func() { p.onRetry(it) })
		side = container.NewCenter(retry)
	}
	row := container.NewBorder(nil, nil, nil, side, text)
	card := newTapRow(row, nil)
	card.tone = toneCard
	return card
}

// pendingRefusal says why the hub refused a record, by the code it gave.
func pendingRefusal(it flow.PendingItem) string {
	switch it.ReasonCode {
	case "local_problem":
		return lang.X("pending.local", "Not sent: it, or a photo of it, cannot be read on this tablet (see below).")
	case "conflict":
		return lang.X("pending.disagrees", "Refused: it does not agree with what the hub holds (see below).")
	case "forbidden":
		return lang.X("pending.forbidden", "Refused: the hall is outside this tablet's region on the hub.")
	}
	return lang.X("pending.refused", "Refused by the hub. Once the reason below is dealt with, try again.")
}

func (p *pending) onRetry(it flow.PendingItem) {
	if err := p.s.sync.sy.Requeue(p.s.ctx(), it.ID); err != nil {
		showError(p.s.win, err)
		return
	}
	p.load()
	p.s.sync.start(true)
}
