package data

import _ "embed" // for go:embed

// QuickPhrases are the canned notes a supervisor adds to a finding with one
// tap (quick-phrases.yaml): general ones and a few per clause. app/flow
// parses them.
//
//go:embed quick-phrases.yaml
var QuickPhrases []byte
