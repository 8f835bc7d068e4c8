// Aggregates user records with AWS's aws-kinesis-agg, as a KPL producer
// does, for the end-to-end tests (e2e's TestKPLAggregatedRides):
//   node aggregate.js < groups.jsonl > aggregated.jsonl
// Each input line is one group of user records, a JSON array of
// {"partitionKey": "...", "data": "<base64>"} ("explicitHashKey" optional);
// each output line is the one Kinesis record that holds the group, in
// order: {"partitionKey": "...", "data": "<base64>"} and "explicitHashKey"
// if the library set one.
const readline = require('readline')
const { RecordAggregator } = require('aws-kinesis-agg')

const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const agg = new RecordAggregator()
  for (const u of JSON.parse(line)) {
    agg.addUserRecord({ partitionKey: u.partitionKey, explicitHashKey: u.explicitHashKey, data: Buffer.from(u.data, 'base64') })
  }
  const r = agg.build()
  const out = { partitionKey: r.partitionKey, data: r.data.toString('base64') }
  if (r.ExplicitHashKey !== undefined) out.explicitHashKey = r.ExplicitHashKey
  process.stdout.write(JSON.stringify(out) + '\n')
})
