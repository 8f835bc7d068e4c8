package esm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// loadCheckpoints reads Config.Checkpoints, the last handled sequence
// number of each shard, written by an earlier run. A file that does not
// exist yet is a first run; one that cannot be read or parsed is an error,
// since ignoring it would deliver every shard again from StartingPosition.
func (m *Mapping) loadCheckpoints() error {
	if m.cfg.Checkpoints == "" {
		return nil
	}
	b, err := os.ReadFile(m.cfg.Checkpoints)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := json.Unmarshal(b, &m.checkpoints); err != nil {
		return fmt.Errorf("read checkpoints %s: %w", m.cfg.Checkpoints, err)
	}
	return nil
}

// checkpoint records seq as the last handled record of shard, in memory
// and, if Config.Checkpoints names one, in that file (written to a
// temporary name and renamed, so that a crash leaves the old or the new
// file, never half of one).
func (m *Mapping) checkpoint(shard, seq string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checkpoints[shard] = seq
	if m.cfg.Checkpoints == "" {
		return nil
	}
	b, err := json.Marshal(m.checkpoints)
	if err != nil {
		return err
	}
	tmp := m.cfg.Checkpoints + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write checkpoints: %w", err)
	}
	if err := os.Rename(tmp, m.cfg.Checkpoints); err != nil {
		return fmt.Errorf("write checkpoints: %w", err)
	}
	return nil
}

// Checkpoint is the last handled sequence number of a shard.
func (m *Mapping) Checkpoint(shard string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checkpoints[shard]
}
