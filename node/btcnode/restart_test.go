package btcnode

const childEnv = "BTCNODE_TEST_CHILD"

func runChild() int { return 0 }
