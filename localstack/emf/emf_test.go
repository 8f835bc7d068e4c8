package emf

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	var out strings.Builder
	c := &Collector{Next: &out}
	logs := `START RequestId: 1
{"timestamp":"x","level":"INFO","message":"batch"}
{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["service"]],"Metrics":[{"Name":"Predictions","Unit":"Count"},{"Name":"Prediction","Unit":"None"}]}]},"service":"s","Predictions":3,"Prediction":[1,2,3]}
{"_aws":{"Timestamp":2,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["service"]],"Metrics":[{"Name":"Predictions","Unit":"Count"},{"Name":"Prediction","Unit":"None"}]}]},"service":"s","Predictions":1,"Prediction":[10]}
{"_aws": not json
`
	// In pieces, as a pipe delivers it.
	for _, piece := range []string{logs[:50], logs[50:300], logs[300:]} {
		c.Write([]byte(piece))
	}
	if out.String() != logs {
		t.Errorf("the output was not passed on whole")
	}
	tab := c.Table()
	if c.Sum("Predictions") != 4 || c.Sum("Missing") != 0 {
		t.Errorf("Sum: Predictions %v, Missing %v; want 4 and 0", c.Sum("Predictions"), c.Sum("Missing"))
	}
	if tab.Documents != 2 || tab.Sum("Predictions") != 4 || tab.Sum("Prediction") != 16 || len(tab.Metrics["Prediction"].Values) != 4 {
		t.Fatalf("table %+v", tab)
	}
	var printed strings.Builder
	tab.Print(&printed)
	for _, want := range []string{"Predictions", "Count", "(2 EMF documents"} {
		if !strings.Contains(printed.String(), want) {
			t.Errorf("printed table lacks %q:\n%s", want, printed.String())
		}
	}
}
