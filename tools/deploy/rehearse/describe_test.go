package rehearse

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// stack is one deployment as the AWS CLI lists and describes it, less what
// two deployments of the same stack cannot share. Both ways are described
// by the same calls, so that cmp.Diff shows every setting in which they
// differ, including the defaults neither sets. Tags are left out (these
// calls do not print them): SAM and CloudFormation add their own
// (lambda:createdBy, aws:cloudformation:*).
type stack struct {
	Streams    map[string]object     // describe-stream-summary, by name, less the encryption
	Encryption map[string]encryption // the streams', by name
	Queues     map[string]object     // get-queue-attributes All, by name
	LogGroups  map[string]object     // describe-log-groups, by name
	Functions  map[string]object     // list-functions, by name
	Roles      map[string]role       // the functions' roles, by function name
	Aliases    map[string]object     // list-aliases, by function and alias name
	Versions   map[string][]object   // list-versions-by-function, by function name
	Mappings   map[string]object     // list-event-source-mappings, by stream and function ARNs
	Dashboards map[string]any        // get-dashboard's body, decoded, by name
	Alarms     map[string]object     // describe-alarms' settable properties, by the template's name
	// Architectures are each function's, by name, out of Functions and
	// Versions; a version whose architectures differ from its function's
	// is listed too, as "name:version".
	Architectures map[string]any
}

// object is a resource as the AWS CLI prints it.
type object = map[string]any

type encryption struct{ EncryptionType, KeyId string }

// role is an IAM role's settings: what get-role prints less its name, ARN
// and RoleId (CloudFormation generates the name, from the stack's),
// CreateDate and RoleLastUsed; and its policies.
type role struct {
	Path                     string
	Description              string // moto: "" from CloudFormation, absent from create-role
	MaxSessionDuration       float64
	PermissionsBoundary      any
	AssumeRolePolicyDocument any
	Policies                 map[string]any // inline, by name
	AttachedPolicies         []string
}

// withoutMotoGaps is s without what moto's CloudFormation drops from the
// template: the streams' StreamEncryption (moto 5.2 leaves them
// unencrypted), the AWS::CloudWatch::Alarms (it lists none) and the
// function's Architectures (it makes every function x86_64).
func (s stack) withoutMotoGaps() stack {
	s.Encryption, s.Alarms, s.Architectures = nil, nil, nil
	return s
}

// motoGaps is the part of s that withoutMotoGaps leaves out.
func (s stack) motoGaps() stack {
	return stack{Encryption: s.Encryption, Alarms: s.Alarms, Architectures: s.Architectures}
}

// describe lists and describes the rehearsal's resources. It deletes only
// what differs between two deployments whatever DEPLOY.md says, each with
// its reason.
func (r *rehearsal) describe() *stack {
	s := &stack{
		Streams: map[string]object{}, Encryption: map[string]encryption{}, Queues: map[string]object{},
		LogGroups: map[string]object{}, Functions: map[string]object{}, Roles: map[string]role{},
		Aliases: map[string]object{}, Versions: map[string][]object{}, Mappings: map[string]object{},
		Dashboards: map[string]any{}, Alarms: map[string]object{}, Architectures: map[string]any{},
	}
	r.describeStreams(s)
	r.describeQueues(s)
	r.describeLogGroups(s)
	r.describeFunctions(s)
	r.describeMappings(s)
	r.describeDashboards(s)
	r.describeAlarms(s)
	return s
}

// describeStreams adds to s the Kinesis streams, their encryption apart.
func (r *rehearsal) describeStreams(s *stack) {
	var streams struct{ StreamNames []string }
	r.json("kinesis list-streams", &streams)
	for _, name := range streams.StreamNames {
		var d struct{ StreamDescriptionSummary object }
		r.json("kinesis describe-stream-summary --stream-name "+name, &d)
		o := d.StreamDescriptionSummary
		key, _ := o["KeyId"].(string)
		s.Encryption[name] = encryption{EncryptionType: o["EncryptionType"].(string), KeyId: key}
		delete(o, "EncryptionType")
		delete(o, "KeyId")
		delete(o, "StreamCreationTimestamp") // when it was created
		s.Streams[name] = o
	}
}

// describeQueues adds to s the SQS queues.
func (r *rehearsal) describeQueues(s *stack) {
	var queues struct{ QueueUrls []string }
	r.json("sqs list-queues", &queues)
	for _, u := range queues.QueueUrls {
		var q struct{ Attributes object }
		r.json("sqs get-queue-attributes --attribute-names All --queue-url "+u, &q)
		delete(q.Attributes, "CreatedTimestamp") // when it was created
		delete(q.Attributes, "LastModifiedTimestamp")
		s.Queues[path.Base(u)] = q.Attributes
	}
}

// describeLogGroups adds to s the log groups.
func (r *rehearsal) describeLogGroups(s *stack) {
	var logs struct{ LogGroups []object }
	r.json("logs describe-log-groups", &logs)
	for _, g := range logs.LogGroups {
		delete(g, "creationTime") // when it was created
		s.LogGroups[g["logGroupName"].(string)] = g
	}
}

// describeFunctions adds to s the functions, with their roles, aliases, versions and architectures.
func (r *rehearsal) describeFunctions(s *stack) {
	var functions struct{ Functions []object }
	r.json("lambda list-functions", &functions)
	for _, f := range functions.Functions {
		name := f["FunctionName"].(string)
		s.Roles[name] = r.role(f["Role"].(string))
		delete(f, "Role")         // its ARN names it; the role is compared in Roles
		delete(f, "LastModified") // when it was created or updated
		delete(f, "RevisionId")   // random, per change
		s.Architectures[name] = f["Architectures"]
		delete(f, "Architectures") // a moto gap: compared in Architectures
		s.Functions[name] = f

		var aliases struct{ Aliases []object }
		r.json("lambda list-aliases --function-name "+name, &aliases)
		for _, a := range aliases.Aliases {
			delete(a, "RevisionId") // random, per change
			s.Aliases[name+":"+a["Name"].(string)] = a
		}
		var versions struct{ Versions []object }
		r.json("lambda list-versions-by-function --function-name "+name, &versions)
		for _, v := range versions.Versions {
			delete(v, "Role") // as above
			delete(v, "LastModified")
			delete(v, "RevisionId")
			if fmt.Sprint(v["Architectures"]) != fmt.Sprint(s.Architectures[name]) {
				s.Architectures[fmt.Sprintf("%s:%v", name, v["Version"])] = v["Architectures"]
			}
			delete(v, "Architectures")
		}
		s.Versions[name] = versions.Versions
	}
}

// describeMappings adds to s the event source mappings.
func (r *rehearsal) describeMappings(s *stack) {
	var mappings struct{ EventSourceMappings []object }
	r.json("lambda list-event-source-mappings", &mappings)
	for _, m := range mappings.EventSourceMappings {
		delete(m, "UUID")         // random
		delete(m, "LastModified") // when it was created
		s.Mappings[m["EventSourceArn"].(string)+" -> "+m["FunctionArn"].(string)] = m
	}
}

// describeDashboards adds to s the dashboards, their bodies decoded.
func (r *rehearsal) describeDashboards(s *stack) {
	var dashboards struct {
		DashboardEntries []struct{ DashboardName string }
	}
	r.json("cloudwatch list-dashboards", &dashboards)
	for _, d := range dashboards.DashboardEntries {
		var got struct{ DashboardBody string }
		r.json("cloudwatch get-dashboard --dashboard-name "+d.DashboardName, &got)
		var body any
		if err := json.Unmarshal([]byte(got.DashboardBody), &body); err != nil {
			r.t.Fatalf("dashboard %s: %v\n%s", d.DashboardName, err, got.DashboardBody)
		}
		s.Dashboards[d.DashboardName] = body
	}
}

// describeAlarms adds to s the metric alarms, by what they watch.
func (r *rehearsal) describeAlarms(s *stack) {
	var alarms struct{ MetricAlarms []object }
	r.json("cloudwatch describe-alarms", &alarms)
	for _, a := range alarms.MetricAlarms {
		s.Alarms[alarmKey(a["AlarmName"].(string))] = settable(a)
	}
}

// role describes the role with the given ARN.
func (r *rehearsal) role(arn string) role {
	name := arn[strings.LastIndex(arn, "/")+1:]
	var got struct{ Role role }
	r.json("iam get-role --role-name "+name, &got)
	ro := got.Role
	var inline struct{ PolicyNames []string }
	r.json("iam list-role-policies --role-name "+name, &inline)
	ro.Policies = map[string]any{}
	for _, p := range inline.PolicyNames {
		var doc struct{ PolicyDocument any }
		r.json("iam get-role-policy --role-name "+name+" --policy-name "+p, &doc)
		ro.Policies[p] = policy(r, doc.PolicyDocument)
	}
	var attached struct{ AttachedPolicies []struct{ PolicyArn string } }
	r.json("iam list-attached-role-policies --role-name "+name, &attached)
	for _, p := range attached.AttachedPolicies {
		ro.AttachedPolicies = append(ro.AttachedPolicies, p.PolicyArn)
	}
	return ro
}

// policy normalizes a policy document as get-role-policy prints it.
func policy(r *rehearsal, doc any) any {
	// moto 5.2 gives a policy that CloudFormation created as the Python repr
	// of its JSON (single quotes), the AWS CLI gives the JSON it was given
	// decoded. The template's policies hold no quotes or booleans, so
	// swapping the quotes gives the JSON back.
	if s, ok := doc.(string); ok {
		if err := json.Unmarshal([]byte(strings.ReplaceAll(s, "'", `"`)), &doc); err != nil {
			r.t.Fatalf("policy document %q: %v", s, err)
		}
	}
	return logGroupARNs(doc)
}

// logGroupARNs drops the ":*" that ends a log group's ARN on AWS, which the
// CLI path writes (the ARN DescribeLogGroups gives, and the one AWS's
// CloudFormation gives as the log group's Arn) and moto's CloudFormation
// leaves out of Fn::GetAtt.
func logGroupARNs(v any) any {
	switch v := v.(type) {
	case string:
		if strings.HasPrefix(v, "arn:aws:logs:") {
			return strings.TrimSuffix(v, ":*")
		}
	case []any:
		for i := range v {
			v[i] = logGroupARNs(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = logGroupARNs(v[k])
		}
	}
	return v
}

// alarmKey is the template's name for an alarm: CloudFormation names it
// STACK-LOGICALID-RANDOM; the plain-CLI path STACK-LOGICALID.
func alarmKey(name string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(name, stackName+"-"), "-")
	return id
}

// settable is an alarm's settings: the properties of an
// AWS::CloudWatch::Alarm, which put-metric-alarm sets and describe-alarms
// prints under the same names, less the name (alarmKey) and those left
// empty. What describe-alarms adds (the alarm's state, its ARN, when it
// changed) is not a setting.
func settable(alarm object) object {
	out := object{"ActionsEnabled": true} // the default, when not declared
	for _, k := range []string{"ActionsEnabled", "AlarmActions", "AlarmDescription", "ComparisonOperator",
		"DatapointsToAlarm", "Dimensions", "EvaluateLowSampleCountPercentile", "EvaluationPeriods",
		"ExtendedStatistic", "InsufficientDataActions", "MetricName", "Metrics", "Namespace", "OKActions",
		"Period", "Statistic", "Threshold", "ThresholdMetricId", "TreatMissingData", "Unit"} {
		if v, ok := alarm[k]; ok && v != nil && v != "" {
			if l, ok := v.([]any); !ok || len(l) > 0 {
				out[k] = v
			}
		}
	}
	return out
}
