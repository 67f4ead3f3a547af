import { configure } from '@testing-library/react'

// A login round trip signs tokens with RSA; on a loaded CI machine it can take longer than
// testing-library's 1 s default for findBy*/waitFor.
configure({ asyncUtilTimeout: 10_000 })
