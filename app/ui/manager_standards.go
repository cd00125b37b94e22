package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// standardsSection lists the standard's versions with how many inspections
// use each, shows a version's items by section with their clause and whom
// they apply to, and imports a new version from a file, listing every
// problem the loader finds.
type standardsSection struct {
	m *managerDesk

	versions []store.StandardInfo
	version  int // the version shown, 0 for none yet
	ver      *standard.Version
	// problems is the last import's refusal, shown until dismissed or
	// another import.
	problems *admin.StandardError
	imported int // the version the last import made, 0 if none
	busy     bool
	seq      int

	importBtn   *widget.Button
	list        *deskList
	msg         *widget.Label
	detail      *fyne.Container
	problemsBox *fyne.Container
}

func newStandardsSection(m *managerDesk) *standardsSection { return &standardsSection{m: m} }

func (x *standardsSection) label() string       { return lang.X("manager.standards", "Standards") }
func (x *standardsSection) icon() fyne.Resource { return theme.DocumentIcon() }

func (x *standardsSection) buildUI() fyne.CanvasObject {
	x.importBtn = widget.NewButtonWithIcon(lang.X("manager.standards.import", "Import a standard file"), theme.FolderOpenIcon(), x.onImport)
	enable(x.importBtn, !x.busy)
	if !x.m.scope.ImportsStandards {
		// Versions are shared by every region: a regional manager browses
		// them, and the hub refuses their imports anyway.
		x.importBtn.Hide()
	}
	x.msg = wrapped("")
	x.msg.Hide()
	x.list = newDeskList(func() int { return len(x.versions) }, x.versionRow, x.onVersion)
	x.problemsBox = container.NewVBox()
	x.detail = container.NewStack()
	x.showProblems()
	x.showVersion()

	left := panel(container.NewVBox(heading(lang.X("manager.standards.heading", "Standard versions")), tall(x.importBtn), x.msg), x.list.list)
	right := container.NewBorder(x.problemsBox, nil, nil, nil, x.detail)
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.3
	return split
}

func (x *standardsSection) onShow() { x.load() }

func (x *standardsSection) load() {
	x.m.run(func(ctx context.Context) (func(), error) {
		vs, err := x.m.svc.Standards(ctx)
		if err != nil {
			return nil, err
		}
		return func() {
			x.versions = vs
			x.msg.Hide()
			if x.version == 0 && len(vs) > 0 {
				x.openVersion(vs[0].Version)
			}
			x.list.refresh(x.selectedRow())
		}, nil
	}, func(err error) {
		x.msg.Importance = widget.DangerImportance
		x.msg.SetText(lang.X("manager.standards.error", "Could not read the standards:") + " " + managerMessage(err) + " " + err.Error())
		x.msg.Show()
	})
}

func (x *standardsSection) selectedRow() int {
	return slices.IndexFunc(x.versions, func(v store.StandardInfo) bool { return v.Version == x.version })
}

func (x *standardsSection) versionRow(i int) deskRow {
	v := x.versions[i]
	title := lang.X("manager.standards.version", "Version {{.Version}}", map[string]any{"Version": v.Version})
	if v.Version == x.imported {
		title += " · " + lang.X("manager.standards.new", "just imported")
	}
	return deskRow{title: title, detail: strings.Join([]string{
		lang.X("manager.standards.imported", "imported {{.Date}}", map[string]any{"Date": formatDate(v.ImportedAt)}),
		lang.X("manager.standards.used", "{{.Count}} inspections", map[string]any{"Count": formatCount(v.Inspections)}),
		shortHash(v.Hash),
	}, " · ")}
}

func (x *standardsSection) onVersion(i int) { x.openVersion(x.versions[i].Version) }

func (x *standardsSection) openVersion(version int) {
	x.version = version
	x.seq++
	seq := x.seq
	x.m.run(func(ctx context.Context) (func(), error) {
		v, err := x.m.svc.Standard(ctx, version)
		if err != nil {
			return nil, err
		}
		return func() {
			if seq != x.seq {
				return
			}
			x.ver = v
			x.showVersion()
		}, nil
	}, nil)
}

func (x *standardsSection) onImport() {
	if x.busy {
		return
	}
	openDeskFile(x.m.s.win, []string{".yaml", ".yml", ".json"}, func(name string, data []byte, err error) {
		if err != nil {
			showManagerError(x.m.s.win, err)
			return
		}
		x.importFile(name, data)
	})
}

func (x *standardsSection) importFile(name string, data []byte) {
	x.busy = true
	x.importBtn.Disable()
	x.m.runThen(func(ctx context.Context) (func(), error) {
		info, err := x.m.svc.ImportStandard(ctx, name, data)
		if err != nil {
			return nil, err
		}
		return func() {
			x.problems = nil
			x.imported = info.Version
			x.showProblems()
			x.version = 0 // show the new version once the list is read
			x.openVersion(info.Version)
			x.load()
		}, nil
	}, func(err error) {
		var se *admin.StandardError
		if errors.As(err, &se) {
			x.problems = se
			x.showProblems()
			return
		}
		showManagerError(x.m.s.win, err)
	}, func() {
		x.busy = false
		x.importBtn.Enable()
	})
}

// maxProblemsShown is how many problems show before the list scrolls.
const maxProblemsShown = 8

// showProblems lists why the last file was refused, line by line, above the
// version on screen.
func (x *standardsSection) showProblems() {
	x.problemsBox.RemoveAll()
	se := x.problems
	if se == nil {
		return
	}
	head := bold(lang.X("manager.standards.problems", "{{.File}} was not imported: {{.Count}} problems", map[string]any{"File": se.File, "Count": len(se.Problems)}))
	head.Importance = widget.DangerImportance
	list := container.NewVBox()
	for _, p := range se.Problems {
		list.Add(colouredCaption(p, theme.ColorNameError))
	}
	var problems fyne.CanvasObject = list
	if len(se.Problems) > maxProblemsShown {
		// More scroll, so that the version stays in view below.
		scroll := container.NewVScroll(list)
		scroll.SetMinSize(fyne.NewSize(0, float32(maxProblemsShown)*list.Objects[0].MinSize().Height))
		problems = scroll
	}
	dismiss := widget.NewButtonWithIcon(lang.X("manager.standards.dismiss", "Dismiss"), theme.CancelIcon(), func() {
		x.problems = nil
		x.showProblems()
	})
	dismiss.Importance = widget.LowImportance
	x.problemsBox.Add(container.NewBorder(nil, nil, nil, tall(dismiss), head))
	x.problemsBox.Add(caption(lang.X("manager.standards.problems.hint", "Nothing was stored. Correct the file and import it again.")))
	x.problemsBox.Add(problems)
	x.problemsBox.Add(widget.NewSeparator())
	x.problemsBox.Refresh()
}

// showVersion shows a version's items by section in a tree.
func (x *standardsSection) showVersion() {
	v := x.ver
	if v == nil {
		x.detail.Objects = []fyne.CanvasObject{deskHint(lang.X("manager.standards.pick", "Choose a version to see its items."))}
		x.detail.Refresh()
		return
	}
	items := 0
	for _, s := range v.Sections {
		items += len(s.Items)
	}
	head := container.NewVBox(
		heading(lang.X("manager.standards.version", "Version {{.Version}}", map[string]any{"Version": v.Version})+" · "+x.m.s.text(v.Title)),
		caption(lang.X("manager.standards.counts", "{{.Sections}} sections, {{.Items}} items, {{.Clauses}} clauses · source: {{.Source}}",
			map[string]any{"Sections": len(v.Sections), "Items": items, "Clauses": len(v.Clauses), "Source": v.Source})),
	)
	tree := x.tree(v)
	tree.OpenAllBranches()
	x.detail.Objects = []fyne.CanvasObject{container.NewBorder(head, nil, nil, nil, tree)}
	x.detail.Refresh()
}

// Tree node IDs: "s<i>" is section i, "s<i>/<j>" its item j.
func sectionNode(i int) widget.TreeNodeID { return "s" + strconv.Itoa(i) }

func parseNode(id widget.TreeNodeID) (sec, item int, ok bool) {
	s, it, isItem := strings.Cut(strings.TrimPrefix(id, "s"), "/")
	sec, err := strconv.Atoi(s)
	if err != nil {
		return 0, 0, false
	}
	if !isItem {
		return sec, -1, true
	}
	item, err = strconv.Atoi(it)
	return sec, item, err == nil
}

func (x *standardsSection) tree(v *standard.Version) *widget.Tree {
	children := func(id widget.TreeNodeID) []widget.TreeNodeID {
		if id == "" {
			out := make([]widget.TreeNodeID, len(v.Sections))
			for i := range v.Sections {
				out[i] = sectionNode(i)
			}
			return out
		}
		sec, item, ok := parseNode(id)
		if !ok || item >= 0 || sec >= len(v.Sections) {
			return nil
		}
		out := make([]widget.TreeNodeID, len(v.Sections[sec].Items))
		for j := range out {
			out[j] = fmt.Sprintf("s%d/%d", sec, j)
		}
		return out
	}
	isBranch := func(id widget.TreeNodeID) bool {
		if id == "" {
			return true
		}
		_, item, ok := parseNode(id)
		return ok && item < 0
	}
	create := func(branch bool) fyne.CanvasObject {
		rt := lines("Title", false, detail("Detail"))
		rt.Wrapping = fyne.TextWrapOff
		rt.Truncation = fyne.TextTruncateEllipsis
		if branch {
			return rt
		}
		clause := widget.NewLabelWithStyle("A00", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: true})
		return container.NewBorder(nil, nil, container.New(minWidthLayout{72}, clause), nil, rt)
	}
	update := func(id widget.TreeNodeID, branch bool, o fyne.CanvasObject) {
		sec, item, ok := parseNode(id)
		if !ok || sec >= len(v.Sections) {
			return
		}
		s := v.Sections[sec]
		if branch {
			note := lang.X("manager.standards.section", "{{.Ref}} · {{.Count}} items", map[string]any{"Ref": s.Ref, "Count": len(s.Items)})
			if s.Pending {
				note = s.Ref + " · " + x.m.s.text(s.PendingNote)
			}
			setLines(o.(*widget.RichText), x.m.s.text(s.Title), note)
			return
		}
		if item >= len(s.Items) {
			return
		}
		it := s.Items[item]
		row := o.(*fyne.Container)
		var rt *widget.RichText
		var clause *widget.Label
		for _, c := range row.Objects {
			switch c := c.(type) {
			case *widget.RichText:
				rt = c
			case *fyne.Container:
				clause = c.Objects[0].(*widget.Label)
			}
		}
		clause.SetText(it.Clause)
		seg := rt.Segments[1].(*widget.TextSegment)
		seg.Style.ColorName = theme.ColorNamePlaceHolder
		if it.Critical {
			seg.Style.ColorName = theme.ColorNameError
		}
		setLines(rt, x.m.s.text(it.Text), applicability(it))
	}
	return widget.NewTree(children, isBranch, create, update)
}

// applicability says whom and how an item is checked: the hall or a person
// (which roles, which gender), check or tally, its weight, critical.
func applicability(it standard.Item) string {
	var parts []string
	if it.Scope == standard.ScopeHall {
		parts = append(parts, lang.X("manager.standards.hall", "The hall"))
	} else {
		roles := make([]string, len(it.Roles))
		for i, r := range it.Roles {
			roles[i] = roleName(r)
		}
		parts = append(parts, strings.Join(roles, ", "))
		if it.Gender != nil {
			if *it.Gender == standard.GenderMale {
				parts = append(parts, lang.X("manager.standards.men", "men only"))
			} else {
				parts = append(parts, lang.X("manager.standards.women", "women only"))
			}
		}
	}
	if it.Kind == standard.KindTally {
		parts = append(parts, lang.X("manager.standards.tally", "tally (counted)"))
	} else {
		parts = append(parts, lang.X("manager.standards.check", "check"))
	}
	parts = append(parts, lang.X("manager.standards.weight", "weight {{.Weight}}", map[string]any{"Weight": it.Weight}))
	if it.Critical {
		parts = append(parts, lang.X("manager.standards.critical", "critical: caps the grade"))
	}
	return strings.Join(parts, " · ")
}

// minWidthLayout stacks its objects at least w wide, so a column of clause
// IDs lines up.
type minWidthLayout struct{ w float32 }

func (l minWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l minWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.w, 0)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}
