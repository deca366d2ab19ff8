// Entry point `hud/agents`: the agent contract, the tool loop and the model providers live here.
// The eval engine (Run, rollout) that agents plug into lands first; this entry point is reserved for them.
export {};
