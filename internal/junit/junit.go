// Package junit is the JUnit XML that Decoy's reports write (decoy report,
// decoy verify), in the shape Jenkins, GitLab and GitHub test reporters
// read.
package junit

import (
	"encoding/xml"
)

// Suites is the document: <testsuites>.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is one <testsuite>.
type Suite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr,omitempty"`
	Timestamp  string      `xml:"timestamp,attr,omitempty"`
	Properties *Properties `xml:"properties"`
	Cases      []Case      `xml:"testcase"`
}

// Properties are a suite's or a case's <properties>.
type Properties struct {
	List []Property `xml:"property"`
}

// Property is one name and value.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Case is one <testcase>. It has at most one <failure>: the JUnit schema
// allows one (or one <error>) per test case, and reporters show only the
// first of several.
type Case struct {
	Name       string      `xml:"name,attr"`
	Classname  string      `xml:"classname,attr"`
	Time       string      `xml:"time,attr"`
	Properties *Properties `xml:"properties"`
	Skipped    *Skipped    `xml:"skipped"`
	Failure    *Failure    `xml:"failure"`
	SystemOut  string      `xml:"system-out,omitempty"`
}

// Skipped says why a case did not run.
type Skipped struct {
	Message string `xml:"message,attr"`
}

// Failure is what a failed case broke: a one-line message, a type, and
// the details as text.
type Failure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// Marshal renders doc with the XML header, indented, ending in a newline.
func Marshal(doc Suites) ([]byte, error) {
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// Props returns properties from name, value pairs; an odd last name gets
// an empty value.
func Props(pairs ...string) *Properties {
	p := &Properties{}
	for i := 0; i < len(pairs); i += 2 {
		v := ""
		if i+1 < len(pairs) {
			v = pairs[i+1]
		}
		p.List = append(p.List, Property{Name: pairs[i], Value: v})
	}
	return p
}

// With returns a copy of p with one more property.
func (p *Properties) With(name, value string) *Properties {
	list := append(make([]Property, 0, len(p.List)+1), p.List...)
	return &Properties{List: append(list, Property{Name: name, Value: value})}
}
