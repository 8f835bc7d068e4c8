package main

// Where AWSLimits, USEast1 and the Lambda CPU share come from. The pages
// were read on PricesRead through stored copies of AWS's documentation;
// the pricing pages' tables are drawn by script and their stored copies
// lacked them, so the prices below are us-east-1's long-published ones,
// cross-checked against several independent copies of them: check the
// pricing pages before relying on a cost, and pass today's prices as
// flags.
const (
	SourceKinesisLimits = "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html"
	SourceMappingParams = "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html"
	SourceLambdaKinesis = "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html"
	SourceLambdaLimits  = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
	SourceLambdaMemory  = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html"
	SourcePutRecords    = "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html"
	SourceLowLatency    = "https://docs.aws.amazon.com/streams/latest/dev/kinesis-low-latency.html"
	SourceKinesisPrices = "https://aws.amazon.com/kinesis/data-streams/pricing/"
	SourceLambdaPrices  = "https://aws.amazon.com/lambda/pricing/"

	PricesRead = "2026-11-29"
)

// USEast1 are the prices of US East (N. Virginia): Kinesis Data Streams
// in provisioned mode, Lambda's first duration tier on x86_64 and on arm64
// (Graviton, 20% less a GB-second).
var USEast1 = Prices{ShardHour: 0.015, RetentionShardHour: 0.02, PUTUnitsPerMillion: 0.014, PUTUnitBytes: 25 * 1024,
	RequestsPerMillion: 0.20, GBSecond: 0.0000166667, GBSecondArm64: 0.0000133334}

// DefaultAssumptions: a PutRecords call of up to 500 small records takes
// 20 ms from Lambda (AWS publishes no figure; the local stand-in answers
// at once, so the measured durations leave it out and the plan adds it);
// a caught-up shard is read again a second later, as the Kinesis
// documentation recommends consumers poll (SourceLowLatency); lanes are
// planned at most 70% busy.
var DefaultAssumptions = Assumptions{PutLatencyMs: 20, PollSeconds: 1, Headroom: 0.7}
