// Starts kinesalite in memory on 127.0.0.1:PORT, for make demo and the tests.
//   node server.js PORT
const kinesalite = require('kinesalite')

const port = parseInt(process.argv[2], 10)
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 })
server.listen(port, '127.0.0.1', (err) => {
  if (err) throw err
  console.log('kinesalite listening on 127.0.0.1:' + port)
})
