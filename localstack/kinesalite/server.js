// Starts kinesalite in memory on 127.0.0.1:PORT, for make demo and the tests.
//   node server.js PORT
//
// One fix first. kinesalite 3.3.3 answers GetShardIterator AT_TIMESTAMP
// only when a record of the shard arrived at or after the timestamp; with
// none (an empty shard, or a time after its last record) it never answers.
// Kinesis answers with an iterator at the shard's end, which then reads the
// records that arrive later. This does the same: it looks for such a
// record first, and without one asks kinesalite for LATEST instead (the
// timestamp is not in the future: kinesalite refuses that itself, as
// Kinesis does). localstack/kinesalite's TestAtTimestamp checks it.
const db = require('kinesalite/db')
const actionPath = require.resolve('kinesalite/actions/getShardIterator')
const getShardIterator = require(actionPath)
require.cache[actionPath].exports = function atTimestampOrLatest(store, data, cb) {
  if (data.ShardIteratorType != 'AT_TIMESTAMP' || data.Timestamp == null || data.Timestamp * 1000 > Date.now()) {
    return getShardIterator(store, data, cb)
  }
  let shardIx
  try {
    shardIx = db.resolveShardId(data.ShardId).shardIx
  } catch (e) {
    return getShardIterator(store, data, cb)
  }
  const opts = { gt: db.shardIxToHex(shardIx), lt: db.shardIxToHex(shardIx + 1) }
  const records = store.getStreamDb(data.StreamName).createReadStream(opts)
  let done = false
  const answer = (request) => {
    if (done) return
    done = true
    records.destroy()
    getShardIterator(store, request, cb)
  }
  records.on('data', (item) => {
    if (item.value.ApproximateArrivalTimestamp >= data.Timestamp) answer(data)
  })
  records.on('end', () => answer(Object.assign({}, data, { ShardIteratorType: 'LATEST', Timestamp: undefined })))
  records.on('error', () => answer(data))
}

const kinesalite = require('kinesalite')

const port = parseInt(process.argv[2], 10)
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 })
server.listen(port, '127.0.0.1', (err) => {
  if (err) throw err
  console.log('kinesalite listening on 127.0.0.1:' + port)
})
