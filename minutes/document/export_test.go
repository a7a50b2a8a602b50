package document

// Fixture is fixture for the external tests (the packet's, which need internal/pdfmerge, a
// package that imports this one).
var Fixture = fixture

// Dump is dump for the external tests.
var Dump = dump

// Extract is extract for the external tests.
var Extract = extract

// Flat is flat for the external tests.
var Flat = flat

// Upper is upper for the external tests.
var Upper = upper
